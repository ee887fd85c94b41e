import { expect, test } from '@playwright/test';
import { signIn } from './support/sign-in';
import { phantomStudy, storeOverDicom, waitUntilTriaged } from './support/studies';

const SHOTS = 'e2e/.artifacts/screenshots';

test('an admin sees an alert that cannot be delivered on the operations page, with why, and can retry it now', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  const study = phantomStudy({ seed: 71_000 + (Date.now() % 10_000), hemorrhage: 'subdural', slices: 6, size: 128 });
  await storeOverDicom(study.files);
  await waitUntilTriaged(page.request, [study.studyInstanceUid]);

  await page.goto('/operations');
  const panel = page.getByTestId('outbox-panel');
  await expect(panel.getByRole('heading', { name: 'Outgoing alerts and results' })).toBeVisible();
  // The e2e webhook (playwright.config.ts) points at a port nobody listens on.
  await expect(panel.getByTestId('outbox-last-error')).toContainText(/the webhook receiver could not be reached: \w+/, { timeout: 30_000 });
  await panel.getByLabel('failed only').uncheck();
  const row = panel.getByTestId('outbox-row').filter({ hasText: study.studyInstanceUid });
  await expect(row).toContainText('Webhook');
  await expect(row).toContainText(/next try/);
  await page.screenshot({ path: `${SHOTS}/operations-outbox.png`, fullPage: true });

  const origin = new URL(page.url()).origin;
  await row.getByRole('button', { name: 'Retry now' }).click();
  // The retry is journaled against the study (the button's POST is answered before the list reloads).
  await expect
    .poll(async () => JSON.stringify(await (await page.request.get(`/api/studies/${study.studyInstanceUid}/audit`, { headers: { origin } })).json()), { timeout: 20_000 })
    .toContain('outbox.retried');
  await expect(panel.getByRole('alert')).toHaveCount(0);
});
