import { expect, test, type Page } from '@playwright/test';
import { signIn } from './support/sign-in';
import { phantomStudy, storeOverDicom, waitUntilTriaged } from './support/studies';
import type { WorklistItem } from '../lib/worklist';

const SHOTS = 'e2e/.artifacts/screenshots';
const SCREENS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'tablet', width: 820, height: 1180 },
] as const;

/** Nothing wider than the screen: no sideways scrolling of the page. */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll).toBeLessThanOrEqual(width);
}

/** Every element the locator finds lies inside the screen's width (none cut off at the right or left). */
async function expectInsideWidth(page: Page, selector: string, width: number): Promise<number> {
  const boxes = await page.locator(selector).evaluateAll((els) =>
    els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => {
      const r = e.getBoundingClientRect();
      return { left: r.left, right: r.right, what: (e as HTMLElement).dataset.testid ?? e.tagName };
    }),
  );
  for (const b of boxes) {
    expect(b.left, `${selector} ${b.what} starts inside the screen`).toBeGreaterThanOrEqual(0);
    expect(b.right, `${selector} ${b.what} ends inside the screen`).toBeLessThanOrEqual(width + 0.5);
  }
  return boxes.length;
}

/**
 * The bleed's row as long as a real one gets: flagged and escalated, every subtype chip, the
 * longest masked patient, an assignee with an e-mail-style SSO username and a 100 % bar. The
 * server's own row is widened on its way to the page, so the card is judged at its worst.
 */
async function withLongestContent(page: Page, uid: string): Promise<void> {
  await page.route('**/api/worklist*', async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { studies: WorklistItem[] };
    for (const s of body.studies) {
      if (s.studyInstanceUid !== uid) continue;
      Object.assign(s, {
        flagged: true,
        outcome: 'flagged',
        escalated: true,
        patient: 'W.M. …0000',
        patientSex: 'M',
        patientAge: '101Y',
        assignee: 'dr.marguerite.vandenberghe-oyelaran@radiology.hospital.example',
        probabilities: { any: 1, epidural: 0.99, intraparenchymal: 1, intraventricular: 0.98, subarachnoid: 0.97, subdural: 1 },
        flags: { epidural: true, intraparenchymal: true, intraventricular: true, subarachnoid: true, subdural: true },
        slices: { received: 1024, analysed: 1000, failed: 24 },
      } satisfies Partial<WorklistItem>);
    }
    await route.fulfill({ response, json: body });
  });
}

test.describe('phone and tablet', () => {
  let bleedUid = '';

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(180_000);
    const page = await browser.newPage();
    await signIn(page);
    const seed = 91_000 + (Date.now() % 5_000);
    const bleed = phantomStudy({ seed, hemorrhage: ['subdural', 'intraparenchymal'], slices: 8, size: 128 });
    const normal = phantomStudy({ seed: seed + 1, hemorrhage: null, slices: 8, size: 128 });
    for (const s of [bleed, normal]) await storeOverDicom(s.files);
    await waitUntilTriaged(page.request, [bleed.studyInstanceUid, normal.studyInstanceUid]);
    bleedUid = bleed.studyInstanceUid;
    await page.close();
  });

  for (const screen of SCREENS) {
    test(`${screen.name} (${screen.width}x${screen.height}): the worklist is one card per study and the study view shows the viewer first, nothing cut off`, async ({ page }) => {
      test.setTimeout(120_000);
      await page.setViewportSize({ width: screen.width, height: screen.height });
      await withLongestContent(page, bleedUid);
      await signIn(page);
      const row = page.locator(`[data-testid="worklist-row"][data-study-uid="${bleedUid}"]`);
      await expect(row).toBeVisible();
      await expect(row.getByTestId('suspected-subtype')).toHaveCount(5);
      await expect(row.getByTestId('assignee')).toContainText('vandenberghe');
      // A card: the rank, flag, any %, subtypes, status, patient and arrival of one study, stacked.
      await expect(page.locator('table[data-testid="worklist"] thead')).toBeHidden();
      // Suspected-subtype chips appear only on a flagged study above their own study point, so
      // they are checked where present, not required.
      for (const part of ['[data-testid="rank"]', '[data-testid="flag"]', '[data-testid="probability"]', '[data-testid="status"]', 'time']) {
        await expect(row.locator(part).first()).toBeVisible();
      }
      await expect(row.getByText(/F|M|\d+Y/).first()).toBeVisible();
      const rank = await row.getByTestId('rank').boundingBox();
      const status = await row.getByTestId('status').boundingBox();
      expect(status!.y).toBeGreaterThan(rank!.y); // stacked, not side by side in a wide row
      await expectNoSidewaysScroll(page);
      expect(await expectInsideWidth(page, '[data-testid="worklist-row"] td, [data-testid="worklist-row"] li, header a, header button, [role="search"] input, [role="search"] select', screen.width)).toBeGreaterThan(10);
      await page.screenshot({ path: `${SHOTS}/${screen.name}-worklist.png`, fullPage: true });

      await row.getByTestId('open-study').click();
      const canvas = page.getByTestId('slice-canvas');
      await expect(canvas).toBeVisible({ timeout: 30_000 });
      await expect(page.getByTestId('study-summary')).toBeVisible();
      const viewer = await canvas.boundingBox();
      const summary = await page.getByTestId('study-summary').boundingBox();
      // Viewer first, the panels below it.
      expect(summary!.y).toBeGreaterThan(viewer!.y + viewer!.height - 1);
      expect(viewer!.width).toBeGreaterThan(screen.width * 0.6);
      await expectNoSidewaysScroll(page);
      await expectInsideWidth(page, '[data-testid="slice-canvas"], [role="toolbar"] button, [role="toolbar"] label, header a, header button, [data-testid="study-summary"], section button', screen.width);
      await page.screenshot({ path: `${SHOTS}/${screen.name}-study.png`, fullPage: true });
    });
  }
});
