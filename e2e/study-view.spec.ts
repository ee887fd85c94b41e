import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import type { StudyDetail } from '../lib/study-detail';
import { mixHemorrhage } from '../server/phantoms/write-phantom-studies';
import { signIn } from './support/sign-in';

const run = promisify(execFile);
// Same rule as playwright.config.ts: the DICOM listener is PORT + 8000.
const DICOM_PORT = Number(process.env.E2E_PORT ?? 3199) + 8000;
// Gitignored: screenshots are for looking at, not for the repository.
const SHOTS = 'e2e/.artifacts/screenshots';

/** A seed whose phantom has a bleed (the simulator draws the subtypes from the seed). */
function hemorrhageSeed(): number {
  let seed = Date.now() % 100_000;
  while (mixHemorrhage(seed).length === 0) seed++;
  return seed;
}

/** Sends one full-size phantom head CT with a hemorrhage over C-STORE, as a scanner would. */
async function sendHemorrhageStudy(seed: number): Promise<string> {
  const { stdout } = await run(
    'npx',
    ['tsx', 'scripts/simulate.ts', '--phantoms', '1', '--seed', String(seed), '--slices', '12', '--size', '512', '--target', `ICHTRIAGE@127.0.0.1:${DICOM_PORT}`],
    { timeout: 90_000 },
  );
  const line = stdout.split('\n').map((l) => l.trim()).find((l) => l.includes('"studyInstanceUid"'));
  const uid = line ? (JSON.parse(line) as { studyInstanceUid?: unknown }).studyInstanceUid : undefined;
  if (typeof uid !== 'string') throw new Error(`simulate printed no study UID:\n${stdout}`);
  return uid;
}

/** Pixels of the viewer canvas that are clearly coloured (the heat overlay), not grey (the CT). */
function colouredPixels(page: Page): Promise<number> {
  return page.getByTestId('slice-canvas').evaluate((canvas: HTMLCanvasElement) => {
    const ctx = canvas.getContext('2d');
    if (!ctx) return -1;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! - data[i + 2]! > 40) n++;
    return n;
  });
}

test.describe('the study view', () => {
  test('opens from the worklist on the most suspicious slice with the model’s evidence; keys window it, the chart moves it', async ({ page }) => {
    test.setTimeout(180_000);
    await signIn(page);
    const uid = await sendHemorrhageStudy(hemorrhageSeed());
    // Live arrival is worklist-live.spec.ts's subject: here the API says when the study is triaged,
    // and a reload shows it, so this spec tests the study view whatever the push path does.
    await expect
      .poll(async () => {
        const body = (await (await page.request.get('/api/worklist')).json()) as { studies: { studyInstanceUid: string; status: string }[] };
        return body.studies.find((s) => s.studyInstanceUid === uid)?.status;
      }, { timeout: 60_000 })
      .toBe('triaged');
    await page.reload();
    const row = page.locator(`[data-testid="worklist-row"][data-study-uid="${uid}"]`);
    await expect(row).toHaveAttribute('data-status', 'triaged');

    // Open it from the worklist with the keyboard, as a reader moving down the list would.
    await row.focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`/studies/${uid.replaceAll('.', '\\.')}`));

    const detail = (await (await page.request.get(`/api/studies/${uid}`)).json()) as StudyDetail;
    const stack = detail.slices.filter((s) => s.seriesInstanceUid === detail.series.find((x) => x.chosen)?.seriesInstanceUid);
    expect(stack).toHaveLength(12);
    const peak = stack.reduce((b, s, i) => (s.probabilities!.any > stack[b]!.probabilities!.any ? i : b), 0);
    expect(detail.operatingPoints?.any).toBeGreaterThan(0);

    const viewer = page.getByTestId('slice-viewer');
    await expect(viewer).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
    await expect(viewer).toHaveAttribute('data-index', String(peak));
    await expect(viewer).toHaveAttribute('data-sop', stack[peak]!.sopInstanceUid);
    await expect(page).toHaveURL(new RegExp(`slice=${stack[peak]!.sopInstanceUid.replaceAll('.', '\\.')}`));
    await expect(viewer).toHaveAttribute('data-overlay', 'on', { timeout: 15_000 });
    await expect(viewer).toHaveAttribute('data-window', '40/80');
    await expect(page.getByTestId('study-summary')).toContainText(detail.model!.name);
    await expect(page.getByTestId('probability-chart')).toBeVisible();

    // The overlay is really drawn, and O takes it away.
    await expect.poll(() => colouredPixels(page)).toBeGreaterThan(100);
    await page.screenshot({ path: `${SHOTS}/study-view-opened.png`, fullPage: true });
    await page.keyboard.press('o');
    await expect(viewer).toHaveAttribute('data-overlay', 'off');
    await expect.poll(() => colouredPixels(page)).toBe(0);
    await page.keyboard.press('o');
    await expect(viewer).toHaveAttribute('data-overlay', 'on');

    // The cursor reads HU.
    const box = (await page.getByTestId('slice-canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect(page.getByTestId('hu-readout')).toHaveText(/^-?\d+ HU/);

    // Window presets by key: 3 is bone, 2 subdural, 1 brain again.
    await page.keyboard.press('3');
    await expect(viewer).toHaveAttribute('data-window', '600/2800');
    await expect(page.getByTestId('window-info')).toContainText('Bone');
    await page.screenshot({ path: `${SHOTS}/study-view-bone-window.png`, fullPage: true });
    await page.keyboard.press('2');
    await expect(viewer).toHaveAttribute('data-window', '80/200');

    // Arrow keys scroll.
    const from = peak === stack.length - 1 ? peak - 1 : peak;
    if (from !== peak) await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowDown');
    await expect(viewer).toHaveAttribute('data-index', String(from + 1));

    // A click on the chart's far left jumps to the first slice, far right to the last.
    const plot = page.locator('[data-testid="probability-chart"] .recharts-cartesian-grid');
    await plot.scrollIntoViewIfNeeded();
    const grid = (await plot.boundingBox())!;
    await page.mouse.click(grid.x + 3, grid.y + grid.height / 2);
    await expect(viewer).toHaveAttribute('data-index', '0');
    await expect(viewer).toHaveAttribute('data-sop', stack[0]!.sopInstanceUid);
    await expect(viewer).toHaveAttribute('data-ready', 'true');
    await page.mouse.click(grid.x + grid.width - 3, grid.y + grid.height / 2);
    await expect(viewer).toHaveAttribute('data-index', String(stack.length - 1));
    await expect(viewer).toHaveAttribute('data-ready', 'true');
    await page.screenshot({ path: `${SHOTS}/study-view-chart-jump.png`, fullPage: true });

    // Live: someone else acknowledges the study; this page shows it without a reload and stays on its slice.
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    const acted = await page.request.post(`/api/studies/${uid}/actions`, { data: { action: 'acknowledge' }, headers: { origin: new URL(page.url()).origin } });
    expect(acted.status()).toBe(200);
    await expect(page.getByTestId('study-status')).toHaveText(/^In review/, { timeout: 15_000 });
    await expect(viewer).toHaveAttribute('data-index', String(stack.length - 1));
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

    // A reload keeps the slice (it is in the address).
    await page.reload();
    await expect(page.getByTestId('slice-viewer')).toHaveAttribute('data-index', String(stack.length - 1), { timeout: 30_000 });

    // A tablet in portrait: the viewer on top, full width.
    await page.setViewportSize({ width: 820, height: 1180 });
    await expect(page.getByTestId('slice-viewer')).toHaveAttribute('data-ready', 'true');
    await page.screenshot({ path: `${SHOTS}/study-view-tablet.png` });
  });
});
