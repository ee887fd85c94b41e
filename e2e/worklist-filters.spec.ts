import { expect, test, type Page } from '@playwright/test';
import { signIn, E2E_USER } from './support/sign-in';
import { flaggedBleed, phantomStudy, storeOverDicom } from './support/studies';

/** A study action through the API, as the study view's buttons send it (same-origin POST). */
async function act(page: Page, uid: string, data: Record<string, string>): Promise<void> {
  const res = await page.request.post(`/api/studies/${uid}/actions`, { data, headers: { origin: new URL(page.url()).origin } });
  expect(res.status(), await res.text()).toBe(200);
}

const rows = (page: Page) => page.locator('[data-testid="worklist-row"]');
const row = (page: Page, uid: string) => page.locator(`[data-testid="worklist-row"][data-study-uid="${uid}"]`);
const shownUids = (page: Page) => rows(page).evaluateAll((rs) => rs.map((r) => r.getAttribute('data-study-uid')));

test.describe('working the worklist at 3 a.m.', () => {
  test('alert on a new flag, assignee and escalation live, filters kept in the URL, search and keys', async ({ page }) => {
    test.setTimeout(180_000);
    await page.setViewportSize({ width: 1440, height: 1000 });
    await signIn(page);
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'live');

    // The audible alert is opt-in and remembered across a reload.
    const sound = page.getByTestId('alert-sound');
    await expect(sound).toHaveAttribute('aria-pressed', 'false');
    await sound.click();
    await expect(sound).toHaveAttribute('aria-pressed', 'true');
    await page.reload();
    await expect(sound).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'live');
    const tonesBefore = Number(await sound.getAttribute('data-tones-played'));

    const base = 60_000 + (Date.now() % 30_000) * 3;
    let bleed = phantomStudy({ seed: base, hemorrhage: ['intraparenchymal', 'subdural'] });
    const normal = phantomStudy({ seed: base + 1, hemorrhage: null });
    const broken = phantomStudy({ seed: base + 2, hemorrhage: null, slices: 3, cutShort: true });
    for (const s of [bleed, normal, broken]) await storeOverDicom(s.files);
    // A bleed phantom the model flagged (support/studies.ts flaggedBleed says why it may take more than one).
    bleed = (await flaggedBleed(page.request, bleed, [normal, broken].map((s) => s.studyInstanceUid), [3, 4, 5, 6, 7, 8].map((k) => base + k))).bleed;
    const uids = [bleed, normal, broken].map((s) => s.studyInstanceUid);
    for (const uid of uids) await expect(row(page, uid)).toHaveAttribute('data-status', 'triaged', { timeout: 15_000 });

    // The hemorrhage became flagged while the page was open: a banner that opens it, and a tone.
    const banner = page.getByTestId('flagged-alert');
    await expect(banner).toContainText('New flagged study:');
    await expect(banner.getByTestId('flagged-alert-open')).toHaveAttribute('href', /^\/studies\/[\d.]+$/);
    expect(Number(await sound.getAttribute('data-tones-played'))).toBeGreaterThan(tonesBefore);

    // Assignee and escalation show on the rows as they happen, without a reload.
    await act(page, bleed.studyInstanceUid, { action: 'assign_to_me' });
    await act(page, broken.studyInstanceUid, { action: 'escalate' });
    await expect(row(page, bleed.studyInstanceUid).getByTestId('assignee')).toHaveText(E2E_USER);
    await expect(row(page, broken.studyInstanceUid).getByTestId('escalated')).toHaveText('ESCALATED');
    await expect(row(page, normal.studyInstanceUid).getByTestId('escalated')).toHaveCount(0);
    await page.mouse.move(0, 0);
    // The README's picture is refreshed on request only, so a test run leaves the tree clean.
    await page.screenshot({ path: process.env.README_SCREENSHOTS ? 'public/readme/worklist.png' : 'e2e/.artifacts/screenshots/worklist-filters.png' });

    const total = await rows(page).count();
    // Other specs may have left studies on this server's list: count what is not analysable now.
    const notAnalysable = (await rows(page).evaluateAll((rs) => rs.map((r) => r.getAttribute('data-outcome')))).filter((o) => o === 'not_analysable').length;
    expect(notAnalysable).toBeGreaterThanOrEqual(1);
    // Not analysable only: the broken study (and any other), with its reason; "N of M shown"; kept in the URL.
    await page.getByTestId('filter-not-analysable').check();
    await expect(page).toHaveURL(/[?&]na=1/);
    await expect(rows(page)).toHaveCount(notAnalysable);
    for (const outcome of await rows(page).evaluateAll((rs) => rs.map((r) => r.getAttribute('data-outcome')))) expect(outcome).toBe('not_analysable');
    await expect(row(page, broken.studyInstanceUid).getByTestId('status')).toHaveText(/^Not analysable: /);
    await expect(page.getByTestId('worklist-summary')).toContainText(`${notAnalysable} of ${total} shown`);
    await page.reload();
    await expect(page.getByTestId('filter-not-analysable')).toBeChecked();
    await expect(rows(page)).toHaveCount(notAnalysable);
    await page.getByTestId('filter-clear').click();
    await expect(rows(page)).toHaveCount(total);
    await expect(page).not.toHaveURL(/\?/);

    // Flagged only keeps only flagged rows; "receiving / analysing" has none now.
    await page.getByTestId('filter-flagged').check();
    for (const outcome of await rows(page).evaluateAll((rs) => rs.map((r) => r.getAttribute('data-outcome')))) expect(outcome).toBe('flagged');
    await expect(row(page, bleed.studyInstanceUid)).toBeVisible();
    await page.getByTestId('filter-flagged').uncheck();
    await page.getByTestId('filter-status').selectOption('incoming');
    await expect(page.getByTestId('worklist-empty')).toHaveText('No study matches these filters.');
    await page.getByTestId('filter-status').selectOption('active');

    // "/" focuses the search from anywhere; the UID's tail finds one study; Escape clears it.
    await page.getByRole('heading', { name: 'Worklist' }).click();
    await page.keyboard.press('/');
    const search = page.getByTestId('worklist-search');
    await expect(search).toBeFocused();
    await page.keyboard.type(normal.studyInstanceUid.slice(-8));
    await expect(page).toHaveURL(/[?&]q=/);
    expect(await shownUids(page)).toEqual([normal.studyInstanceUid]);
    await page.keyboard.press('Escape');
    await expect(search).toHaveValue('');
    await expect(rows(page)).toHaveCount(total);

    // j / k and the arrows move between rows with a visible focus; Enter opens the focused study.
    const order = await shownUids(page);
    await rows(page).first().focus();
    await page.keyboard.press('j');
    await expect(rows(page).nth(1)).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(rows(page).nth(2)).toBeFocused();
    await page.keyboard.press('k');
    await expect(rows(page).nth(1)).toBeFocused();
    const ring = await rows(page).nth(1).evaluate((el) => getComputedStyle(el).boxShadow);
    expect(ring).not.toBe('none');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`/studies/${order[1]!.replace(/\./g, '\\.')}$`));
  });

  test('the order holds while the pointer works in the table, and says what is waiting', async ({ page }) => {
    test.setTimeout(120_000);
    await signIn(page);
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'live');
    const before = await shownUids(page);
    expect(before.length).toBeGreaterThanOrEqual(2); // the studies of the test above
    const last = before.at(-1)!;

    // The pointer works in the table (the order holds for a few seconds after each move).
    const box = (await rows(page).first().boundingBox())!;
    await page.mouse.move(box.x + 40, box.y + box.height / 2);
    await page.mouse.move(box.x + 60, box.y + box.height / 2);
    await expect(page.getByTestId('worklist')).toHaveAttribute('data-held', 'true');
    await act(page, last, { action: 'dismiss', reason: 'duplicate study' });
    await page.mouse.move(box.x + 80, box.y + box.height / 2);
    // The dismissed study leaves the list, but not from under the pointer: it stays, dimmed, and
    // the waiting change is counted.
    await expect(page.getByTestId('order-show')).toHaveText(/^1 update — show$/);
    expect(await shownUids(page)).toEqual(before);
    await expect(row(page, last)).toHaveAttribute('data-left', 'true');
    // The notice has its own reserved line: the row under the pointer did not move a pixel.
    expect((await rows(page).first().boundingBox())!.y).toBe(box.y);

    // Leaving the table applies it.
    await page.mouse.move(0, 0);
    await expect(page.getByTestId('worklist')).toHaveAttribute('data-held', 'false');
    expect(await shownUids(page)).toEqual(before.slice(0, -1));
  });
});
