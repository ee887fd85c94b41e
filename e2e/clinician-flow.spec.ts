import { rmSync } from 'node:fs';
import { plainReason } from '../lib/plain-reason';
import { expect, test } from '@playwright/test';
import { OwnServer } from './support/own-server';
import { parseCsv } from './support/parse-csv';
import { signIn } from './support/sign-in';
import { flaggedBleed, phantomStudy, storeOverDicom } from './support/studies';

// Gitignored: screenshots are for looking at, not for the repository.
const SHOTS = 'e2e/.artifacts/screenshots';
const COMMENT = 'Looks like calcification in the falx, not a bleed (e2e).';

test.describe('the clinician flow', () => {
  test('three studies arrive over DICOM, are ranked live; the flagged one is acknowledged and disputed, and the audit, CSV and operations pages show it', async ({ page }) => {
    test.setTimeout(150_000);
    await signIn(page);
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'live');
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

    // Distinct seeds per run: UIDs and patients follow from the seed.
    const base = 10_000 + (Date.now() % 50_000) * 3;
    let bleed = phantomStudy({ seed: base, hemorrhage: ['intraparenchymal', 'subdural'] });
    const normal = phantomStudy({ seed: base + 1, hemorrhage: null });
    const broken = phantomStudy({ seed: base + 2, hemorrhage: null, slices: 3, cutShort: true });
    for (const s of [normal, broken, bleed]) await storeOverDicom(s.files);

    // Each shows up on the open page without a reload, then becomes final.
    const row = (uid: string) => page.locator(`[data-testid="worklist-row"][data-study-uid="${uid}"]`);
    for (const s of [bleed, normal, broken]) await expect(row(s.studyInstanceUid)).toBeVisible({ timeout: 30_000 });
    // A bleed phantom the model flagged (support/studies.ts flaggedBleed says why it may take more than one).
    const flagged = await flaggedBleed(page.request, bleed, [normal, broken].map((s) => s.studyInstanceUid), [3, 4, 5, 6, 7, 8].map((k) => base + k));
    bleed = flagged.bleed;
    const items = flagged.items;
    for (const s of [bleed, normal, broken]) await expect(row(s.studyInstanceUid)).toHaveAttribute('data-status', 'triaged', { timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

    const api = (uid: string) => items.find((s) => s.studyInstanceUid === uid)!;
    // The hemorrhage phantom is flagged. The shipped model flags most phantoms, the normal one
    // included, so "above" follows the server's rule: flagged before not flagged, then by "any".
    const [b, n] = [api(bleed.studyInstanceUid), api(normal.studyInstanceUid)];
    expect(b.outcome).toBe('flagged');
    if (n.outcome === 'not_flagged') expect(b.rank).toBeLessThan(n.rank);
    else expect(b.rank < n.rank).toBe(b.probabilities.any! > n.probabilities.any!);
    // Not analysable ("needs a human read") comes after every flagged study and before the studies
    // the model did not flag (server/triage/priority.ts tiers).
    const brokenRank = api(broken.studyInstanceUid).rank;
    expect(brokenRank).toBeGreaterThan(b.rank);
    if (n.outcome === 'not_flagged') expect(brokenRank).toBeLessThan(n.rank);
    else expect(brokenRank).toBeGreaterThan(n.rank);
    await expect(row(bleed.studyInstanceUid)).toHaveAttribute('data-outcome', 'flagged');
    await expect(row(bleed.studyInstanceUid).getByTestId('flag')).toHaveText('FLAGGED');
    // The page shows the server's order and rank numbers (no local reshuffle).
    const shownOrder = await page.locator('[data-testid="worklist-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-study-uid')));
    const ours = [bleed, normal, broken].map((s) => s.studyInstanceUid);
    const byServerRank = [...ours].sort((a, b) => api(a).rank - api(b).rank);
    expect(shownOrder.filter((uid): uid is string => ours.includes(uid ?? ''))).toEqual(byServerRank);
    for (const uid of ours) await expect(row(uid).getByTestId('rank')).toHaveText(String(api(uid).rank));

    // The broken study is not analysable and its row says why.
    const brokenItem = api(broken.studyInstanceUid);
    expect(brokenItem.outcome).toBe('not_analysable');
    expect(brokenItem.notAnalysableReason).toMatch(/^3 slice\(s\) could not be decoded \(DICOM_[A-Z_]+\)$/);
    // In words: the server's reason with its codes spelled out (lib/plain-reason.ts).
    await expect(row(broken.studyInstanceUid).getByTestId('status')).toHaveText(`Not analysable: ${plainReason(brokenItem.notAnalysableReason!)}`);
    await page.screenshot({ path: `${SHOTS}/clinician-worklist-three-studies.png`, fullPage: true });

    // Its study view spells the reason out in words, without error codes.
    await row(broken.studyInstanceUid).click();
    const summary = page.getByTestId('not-analysable');
    await expect(summary).toContainText('Not analysable — read this study yourself.', { timeout: 15_000 });
    await expect(summary).toContainText('3 slice(s) could not be decoded (');
    await expect(summary).not.toContainText(/DICOM_[A-Z_]+/);
    await expect(page.getByTestId('study-status')).toHaveText(/^Not analysable: 3 slice\(s\) could not be decoded \([a-z ]+\)$/);
    await expect(page.getByTestId('summary-status')).toHaveText(/^Not analysable: 3 slice\(s\) could not be decoded \([a-z ]+\)$/);
    await page.screenshot({ path: `${SHOTS}/clinician-not-analysable-study.png`, fullPage: true });
    await page.goBack();

    // Open the flagged study and act on it.
    await row(bleed.studyInstanceUid).click();
    await expect(page).toHaveURL(new RegExp(`/studies/${bleed.studyInstanceUid.replaceAll('.', '\\.')}`));
    await expect(page.getByTestId('slice-viewer')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
    await page.getByTestId('action-acknowledge').click();
    await expect(page.getByTestId('action-feedback')).toHaveText(/^Acknowledge: recorded/);
    await expect(page.getByTestId('study-status')).toHaveText(/^In review/);
    await page.getByTestId('action-disagree').click();
    await page.getByLabel('Why do you disagree with the result?').fill(COMMENT);
    await page.getByTestId('action-text-submit').click();
    await expect(page.getByTestId('action-feedback')).toHaveText(/^Disagree: recorded/);

    // The study's timeline: both, with who did them, the comment with the disagreement.
    const timeline = page.getByTestId('audit-timeline');
    const ack = timeline.locator('[data-testid="audit-entry"][data-action="study.acknowledged"]');
    const feedback = timeline.locator('[data-testid="audit-entry"][data-action="study.feedback"]');
    await expect(ack).toHaveCount(1);
    await expect(ack).toContainText('Acknowledged');
    await expect(ack).toContainText('by e2e-admin');
    await expect(feedback).toHaveCount(1);
    await expect(feedback).toContainText('Disagreed with the result');
    await expect(feedback).toContainText('by e2e-admin');
    await expect(feedback).toContainText(COMMENT);
    await timeline.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/clinician-study-after-disagree.png`, fullPage: true });

    // The global audit page, filtered to this study: both entries, newest first.
    await page.goto('/audit');
    await page.getByLabel('Study (UID)').fill(bleed.studyInstanceUid);
    await page.getByRole('button', { name: 'Apply' }).click();
    const auditRows = page.getByTestId('audit-row');
    await expect(auditRows.filter({ hasText: 'Feedback' })).toHaveCount(1);
    await expect(auditRows.filter({ hasText: 'Feedback' })).toContainText(COMMENT);
    await expect(auditRows.filter({ hasText: 'Acknowledged' })).toHaveCount(1);
    for (const r of await auditRows.all()) await expect(r).toContainText(bleed.studyInstanceUid);
    await page.screenshot({ path: `${SHOTS}/clinician-audit-page.png`, fullPage: true });

    // Its CSV export downloads those rows.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const csv = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks as Buffer[]).toString('utf8'));
    expect(csv.split('\r\n')[0]).toBe('seq,at,actorUsername,actorUserId,ip,action,targetType,targetId,details,note');
    const records = parseCsv(csv);
    // Exactly the filtered rows: the page's list and the file agree.
    expect(records.map((r) => r.seq)).toEqual(await auditRows.evaluateAll((rows) => rows.map((r) => r.querySelector('td')?.textContent ?? '')));
    const acked = records.filter((r) => r.action === 'study.acknowledged');
    const disputed = records.filter((r) => r.action === 'study.feedback');
    expect(acked).toHaveLength(1);
    expect(disputed).toHaveLength(1);
    expect(acked[0]).toMatchObject({ actorUsername: 'e2e-admin', targetType: 'study', targetId: bleed.studyInstanceUid });
    expect(JSON.parse(acked[0]!.details ?? '')).toMatchObject({ from: 'triaged', to: 'in_review' });
    expect(disputed[0]).toMatchObject({ actorUsername: 'e2e-admin', targetId: bleed.studyInstanceUid, note: COMMENT });
    expect(JSON.parse(disputed[0]!.details ?? '')).toMatchObject({ verdict: 'disagree', flagged: true });
    // The export holds patient identifiers nowhere.
    expect(csv).not.toContain(bleed.patientName);

    // Operations: studies counted, and the one piece of feedback is a disagreement.
    await page.goto('/operations');
    await expect(page.getByTestId('ops-disagreement')).toHaveText('100.0 %', { timeout: 20_000 });
    // Every piece of feedback in this run is a disagreement (a CI retry adds another).
    await expect(page.getByText(/^(\d+) disagree \/ \1 feedback$/)).toBeVisible();
    // The page opens on the last hour, the window a shift lead asks about first.
    await expect(page.getByRole('radio', { name: 'Last 1h' })).toHaveAttribute('aria-checked', 'true');
    const received = await page.request.get('/api/operations?window=1h').then((r) => r.json() as Promise<{ totals: { received: number; triaged: number } }>);
    expect(received.totals.triaged).toBeGreaterThanOrEqual(3);
    // The e2e server started minutes ago: rates are over the time it has data for, and say so.
    await expect(page.getByText(new RegExp(`^average over the last \\d+ min \\(data since [^)]+\\): ${received.totals.received} received, ${received.totals.triaged} triaged$`))).toBeVisible();
    // 100 % disagreement leaves its band (OPS_ALARM_MIN_STUDIES=1 here): an alarm in words, not a footnote.
    await expect(page.getByTestId('ops-alarm').filter({ hasText: /^Alarm\s*Clinicians disagreed with 100 % of results in the last hour/ })).toBeVisible();
    expect(Number(await page.getByTestId('ops-studies-per-hour').textContent())).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/clinician-operations.png`, fullPage: true });
  });

  test('the page recovers after the server restarts: offline while it is down, live again with the worklist intact, no reload', async ({ browser }) => {
    test.setTimeout(180_000);
    // Its own server (same build, own ports and data) so stopping it leaves the other specs' server alone.
    const port = Number(process.env.E2E_PORT ?? 3199) + 7;
    const server = new OwnServer(port, `./${process.env.E2E_OUTPUT_DIR ?? 'test-results'}/restart-data`);
    rmSync(server.dataDir, { recursive: true, force: true });
    await server.start();
    const context = await browser.newContext({ baseURL: server.baseURL });
    try {
      const page = await context.newPage();
      await signIn(page);
      const connection = page.getByTestId('connection');
      await expect(connection).toHaveAttribute('data-state', 'live');

      const seed = 70_000 + (Date.now() % 10_000);
      const before = phantomStudy({ seed, hemorrhage: 'epidural', slices: 6, size: 128 });
      await storeOverDicom(before.files, server.dicomPort);
      const row = (uid: string) => page.locator(`[data-testid="worklist-row"][data-study-uid="${uid}"]`);
      await expect(row(before.studyInstanceUid)).toHaveAttribute('data-status', 'triaged', { timeout: 60_000 });
      const rankBefore = await row(before.studyInstanceUid).getByTestId('rank').textContent();
      await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

      expect(await server.stop()).toBe(0);
      await expect(connection).toHaveAttribute('data-state', 'offline', { timeout: 10_000 });
      await expect(connection).toHaveText('Offline — reconnecting');
      // The last known worklist stays on screen while the server is away, greyed after a few
      // seconds, with the time it was last current.
      await expect(row(before.studyInstanceUid)).toBeVisible();
      await expect(page.getByTestId('worklist-stale')).toContainText(/^Not updated since \d{2}:\d{2}:\d{2}\./, { timeout: 10_000 });
      await expect(page.getByTestId('worklist-body')).toHaveAttribute('data-stale', 'true');
      await expect(page.getByTestId('worklist-body')).toHaveCSS('opacity', '0.5');
      await page.screenshot({ path: `${SHOTS}/restart-offline.png`, fullPage: true });

      await server.start();
      await expect(connection).toHaveAttribute('data-state', 'live', { timeout: 30_000 });
      await expect(connection).toHaveText('Live');
      await expect(page.getByTestId('worklist-live-again')).toHaveText('Live again: the worklist is up to date.');
      await expect(page.getByTestId('worklist-stale')).toHaveCount(0);
      await expect(page.getByTestId('worklist-body')).not.toHaveAttribute('data-stale', 'true');
      await expect(row(before.studyInstanceUid)).toHaveAttribute('data-status', 'triaged');
      await expect(row(before.studyInstanceUid).getByTestId('rank')).toHaveText(rankBefore ?? '');

      // Live updates really flow again: a study sent after the restart appears without a reload.
      const after = phantomStudy({ seed: seed + 1, hemorrhage: null, slices: 6, size: 128 });
      await storeOverDicom(after.files, server.dicomPort);
      await expect(row(after.studyInstanceUid)).toHaveAttribute('data-status', 'triaged', { timeout: 60_000 });
      expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
      await page.screenshot({ path: `${SHOTS}/restart-live-again.png`, fullPage: true });
    } finally {
      await context.close();
      await server.stop();
    }
  });
});
