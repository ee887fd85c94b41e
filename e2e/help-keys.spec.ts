import { expect, test } from '@playwright/test';
import { signIn } from './support/sign-in';
import { phantomStudy, storeOverDicom, waitUntilTriaged } from './support/studies';

const SHOTS = 'e2e/.artifacts/screenshots';

test.describe('keys and their legend', () => {
  test('on the worklist: ? opens the legend, Escape closes it; / searches without tabbing into anything', async ({ page }) => {
    await signIn(page);
    const dialog = page.getByTestId('keys-dialog');
    await expect(dialog).toBeHidden();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Shift+Slash');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('heading', { name: 'Keyboard' })).toBeVisible();
    await expect(dialog).toContainText('Open the selected study');
    await page.screenshot({ path: `${SHOTS}/keys-worklist.png` });
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    // The button opens it too.
    await page.getByTestId('keys-button').click();
    await expect(dialog).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();

    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('/');
    await expect(page.getByRole('searchbox')).toBeFocused();
    // Typing ? in the search box types it, it does not open the legend.
    await page.keyboard.type('?');
    await expect(dialog).toBeHidden();
    await page.keyboard.press('Escape');
  });

  test('j and Enter from nowhere in particular select and open the most urgent study', async ({ page }) => {
    test.setTimeout(120_000);
    await signIn(page);
    const study = phantomStudy({ seed: 81_000 + (Date.now() % 10_000), hemorrhage: 'subdural', slices: 6, size: 128 });
    await storeOverDicom(study.files);
    await waitUntilTriaged(page.request, [study.studyInstanceUid]);
    await page.reload();
    const rows = page.getByTestId('worklist-row');
    await expect(rows.first()).toBeVisible();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await expect(page.locator('body')).toBeFocused();
    await page.keyboard.press('j');
    await expect(rows.first()).toBeFocused();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    const uid = await rows.first().getAttribute('data-study-uid');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`/studies/${uid!.replace(/\./g, '\\.')}`));
    // The study view has its own legend and visible hints.
    await expect(page.getByTestId('viewer-hints')).toContainText('1 2 3: windows · O: evidence · ?: all keys', { timeout: 30_000 });
    await page.keyboard.press('Shift+Slash');
    await expect(page.getByTestId('keys-dialog')).toContainText('Brain window (40 / 80 HU)');
    await page.screenshot({ path: `${SHOTS}/keys-study.png` });
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('keys-dialog')).toBeHidden();
  });
});
