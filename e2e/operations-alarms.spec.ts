import { expect, test } from '@playwright/test';
import { signIn } from './support/sign-in';
import { phantomStudy, storeOverDicom, waitUntilTriaged } from './support/studies';

const SHOTS = 'e2e/.artifacts/screenshots';

test('the operations page opens on the last hour, divides by the time it has data for, and says in words when a rate leaves its band', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  const study = phantomStudy({ seed: 61_000 + (Date.now() % 10_000), hemorrhage: 'subdural', slices: 6, size: 128 });
  await storeOverDicom(study.files);
  await waitUntilTriaged(page.request, [study.studyInstanceUid]);
  const origin = new URL(page.url()).origin;
  const disagreed = await page.request.post(`/api/studies/${study.studyInstanceUid}/actions`, { data: { action: 'disagree', comment: 'old infarct, no bleed' }, headers: { origin } });
  expect(disagreed.status()).toBe(200);

  await page.goto('/operations');
  await expect(page.getByRole('radio', { name: 'Last 1h' })).toHaveAttribute('aria-checked', 'true');
  const metrics = (await (await page.request.get('/api/operations?window=1h')).json()) as { totals: { received: number; triaged: number; studiesPerHour: number }; coveredFrom: string; from: string };
  // A fresh e2e server: its data starts minutes ago, so that is what an hourly rate divides by.
  expect(Date.parse(metrics.coveredFrom)).toBeGreaterThan(Date.parse(metrics.from));
  expect(metrics.totals.studiesPerHour).toBeGreaterThan(metrics.totals.received); // N in a few minutes is more than N an hour
  // The rate grows with the clock between the API read and the page's own read: compare loosely.
  const shown = Number(await page.getByTestId('ops-studies-per-hour').textContent());
  expect(Math.abs(shown - metrics.totals.studiesPerHour)).toBeLessThan(metrics.totals.studiesPerHour * 0.05 + 0.5);
  await expect(page.getByText(new RegExp(`^average over the last \\d+ min \\(data since [^)]+\\): ${metrics.totals.received} received, ${metrics.totals.triaged} triaged$`))).toBeVisible();
  // Every review in this run disagrees: 100 %, outside the 30 % band (OPS_ALARM_MIN_STUDIES=1 in e2e).
  const alarm = page.getByTestId('ops-alarm').filter({ hasText: 'Clinicians disagreed with 100 % of results in the last hour' });
  await expect(alarm).toBeVisible({ timeout: 20_000 });
  await expect(alarm).toContainText('check the model against recent reads (limit 30 %)');
  await page.screenshot({ path: `${SHOTS}/operations-alarms.png`, fullPage: true });
});
