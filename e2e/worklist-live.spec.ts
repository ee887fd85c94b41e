import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { signIn } from './support/sign-in';

const run = promisify(execFile);
// Same rule as playwright.config.ts: the DICOM listener is PORT + 8000.
const DICOM_PORT = Number(process.env.E2E_PORT ?? 3199) + 8000;

/** Sends one phantom study to the server's DICOM listener (C-STORE), as a scanner would. */
async function sendPhantomStudy(seed: number): Promise<string> {
  const { stdout } = await run(
    'npx',
    ['tsx', 'scripts/simulate.ts', '--phantoms', '1', '--seed', String(seed), '--slices', '6', '--size', '128', '--target', `ICHTRIAGE@127.0.0.1:${DICOM_PORT}`],
    { timeout: 60_000 },
  );
  const line = stdout.split('\n').map((l) => l.trim()).find((l) => l.includes('"studyInstanceUid"'));
  const uid = line ? (JSON.parse(line) as { studyInstanceUid?: unknown }).studyInstanceUid : undefined;
  if (typeof uid !== 'string') throw new Error(`simulate printed no study UID:\n${stdout}`);
  return uid;
}

test.describe('the worklist is live', () => {
  test('a study sent over DICOM appears without a reload, ranked and scored, then triaged', async ({ page }) => {
    test.setTimeout(120_000);
    await signIn(page);
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'live');
    await expect(page.getByRole('heading', { name: 'Worklist' })).toBeVisible();

    // Mark the document: if the page reloaded, the marker would be gone.
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

    const uid = await sendPhantomStudy(Date.now() % 100_000);
    const row = page.locator(`[data-testid="worklist-row"][data-study-uid="${uid}"]`);

    await expect(row).toBeVisible({ timeout: 30_000 });
    await expect(row.getByTestId('rank')).toHaveText(/^\d+$/);
    await expect(row.getByTestId('probability')).toHaveText(/\d+%/, { timeout: 30_000 });

    // After the quiet period (2 s in e2e) the study is final: flagged or not flagged.
    await expect(row).toHaveAttribute('data-status', 'triaged', { timeout: 45_000 });
    await expect(row).toHaveAttribute('data-outcome', /^(flagged|not_flagged)$/);
    await expect(row.getByTestId('status')).toHaveText(/^Triaged — (flagged|not flagged)$/);
    await expect(row.getByTestId('slices')).toHaveText('6/6');

    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

    // The table is a real table, and rows are reachable from the keyboard.
    await expect(page.getByRole('columnheader', { name: 'Any hemorrhage' })).toBeVisible();
    await row.focus();
    await expect(row).toBeFocused();

    // A fresh load shows the same row from the API, in the same rank.
    const rank = await row.getByTestId('rank').textContent();
    await page.reload();
    await expect(page.locator(`[data-testid="worklist-row"][data-study-uid="${uid}"]`).getByTestId('rank')).toHaveText(rank ?? '');
  });
});
