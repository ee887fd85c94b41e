import { expect, test } from '@playwright/test';
import { signIn } from './support/sign-in';
import { phantomStudy, storeOverDicom, waitUntilTriaged } from './support/studies';

// Gitignored: screenshots are for looking at, not for the repository.
const SHOTS = 'e2e/.artifacts/screenshots';

/** The files with every "PHANTOM-<from>" (the PatientID) rewritten as "PHANTOM-<to>": same length, so still valid DICOM. */
function samePatient(files: Uint8Array[], from: number, to: number): Uint8Array[] {
  const a = Buffer.from(`PHANTOM-${from}`);
  const b = Buffer.from(`PHANTOM-${to}`);
  if (a.length !== b.length) throw new Error('seeds must have as many digits');
  return files.map((f) => {
    const out = Buffer.from(f);
    for (let i = out.indexOf(a); i >= 0; i = out.indexOf(a, i + 1)) b.copy(out, i);
    return new Uint8Array(out);
  });
}

type Journal = { entries: { action: string; actorUsername: string | null; targetId: string | null; details: Record<string, unknown>; note: string | null }[] };

test.describe('finished studies, priors, and the admin journal', () => {
  test('a study lists the patient’s prior; reporting it can be undone; a reported study is found by the status filter and reopened with a reason', async ({ page }) => {
    test.setTimeout(150_000);
    await signIn(page);
    const seed = 300_000 + (Date.now() % 99_999);
    const earlier = phantomStudy({ seed, hemorrhage: null, slices: 4, size: 128 });
    const later = phantomStudy({ seed: seed + 1, hemorrhage: 'subdural', slices: 4, size: 128 });
    await storeOverDicom(earlier.files);
    await storeOverDicom(samePatient(later.files, seed + 1, seed));
    await waitUntilTriaged(page.request, [earlier.studyInstanceUid, later.studyInstanceUid]);

    // The later study lists the earlier one, one click away.
    await page.goto(`/studies/${later.studyInstanceUid}`);
    const priors = page.getByTestId('prior-studies');
    await expect(priors.getByTestId('prior-study')).toHaveCount(1);
    await expect(priors).toContainText('Prior studies (1)');
    await expect(priors).toContainText('Triaged');
    await page.screenshot({ path: `${SHOTS}/study-prior-studies.png`, fullPage: true });
    await priors.getByRole('link').click();
    await expect(page).toHaveURL(new RegExp(`/studies/${earlier.studyInstanceUid.replace(/\./g, '\\.')}$`));
    await expect(page.getByTestId('prior-studies').getByTestId('prior-study')).toHaveCount(1);

    // Mark reported, then take it back within the window.
    await page.getByTestId('action-mark_reported').click();
    await expect(page.getByTestId('action-feedback')).toContainText('Mark reported: recorded');
    const undo = page.getByTestId('action-undo');
    await expect(undo).toHaveText(/^Undo \(\d+ s\)$/);
    await page.screenshot({ path: `${SHOTS}/study-undo-offered.png` });
    await undo.click();
    await expect(page.getByTestId('action-feedback')).toContainText('Undone: Mark reported');
    await expect(page.getByTestId('action-mark_reported')).toBeVisible();
    await expect(page.getByTestId('action-undo')).toHaveCount(0);

    // Reported for good: it leaves the active list and is found under "Reported".
    await page.getByTestId('action-mark_reported').click();
    await expect(page.getByTestId('action-reopen')).toBeVisible();
    await page.goto('/');
    const row = page.locator(`[data-testid="worklist-row"][data-study-uid="${earlier.studyInstanceUid}"]`);
    await expect(page.locator(`[data-testid="worklist-row"][data-study-uid="${later.studyInstanceUid}"]`)).toBeVisible();
    await expect(row).toHaveCount(0);
    await page.getByTestId('filter-status').selectOption('reported');
    await expect(row).toBeVisible({ timeout: 15_000 });
    await expect(row).toHaveAttribute('data-status', 'reported');
    await expect(row.getByTestId('rank')).toHaveText('—');
    await page.screenshot({ path: `${SHOTS}/worklist-reported-filter.png`, fullPage: true });
    await page.getByTestId('filter-status').selectOption('all');
    await expect(row).toBeVisible();

    // Reopened with a reason: back in review, on the active list.
    await page.goto(`/studies/${earlier.studyInstanceUid}`);
    await page.getByTestId('action-reopen').click();
    await page.getByLabel(/Why reopen this study\?/).fill('Addendum requested by neurosurgery');
    await page.getByTestId('action-text-submit').click();
    await expect(page.getByTestId('action-feedback')).toContainText('Reopen: recorded');
    await expect(page.getByTestId('action-mark_reported')).toBeVisible();

    const journal = (await (await page.request.get(`/api/audit?study=${earlier.studyInstanceUid}&limit=50`)).json()) as Journal;
    expect(journal.entries.map((e) => e.action).reverse()).toEqual(expect.arrayContaining(['study.reported', 'study.action_undone', 'study.reported', 'study.reopened']));
    // The reason is kept beside the journal (which holds its hash) and shown as the entry's note.
    expect(journal.entries.find((e) => e.action === 'study.reopened')?.note).toBe('Addendum requested by neurosurgery');
    const active = (await (await page.request.get('/api/worklist')).json()) as { studies: { studyInstanceUid: string; status: string }[] };
    expect(active.studies.find((s) => s.studyInstanceUid === earlier.studyInstanceUid)?.status).toBe('in_review');
  });

  test('an admin resets a password (shown once) and works the quarantine; each step is in /audit', async ({ page }) => {
    test.setTimeout(120_000);
    await signIn(page);
    const n = Date.now() % 100_000;

    // Reset a new account's password: a new one-time password, shown once.
    const username = `nurse-${n}`;
    await page.goto('/admin/users');
    const form = page.getByRole('form', { name: 'Create an account' });
    await form.getByLabel('Username').fill(username);
    await form.getByRole('button', { name: 'Create' }).click();
    const first = (await page.getByTestId('secret-value').textContent())!.trim();
    await page.getByTestId('secret-once').getByRole('button', { name: 'Done, hide it' }).click();
    const reset = page.getByTestId(`reset-${username}`);
    await reset.click();
    await expect(reset).toHaveText('Confirm reset');
    await reset.click();
    await expect(page.getByTestId('secret-once')).toContainText(`New one-time password for ${username}`);
    const second = (await page.getByTestId('secret-value').textContent())!.trim();
    expect(second).not.toBe(first);
    await expect(page.getByTestId(`user-${username}`)).toContainText('Must choose a password');
    await page.screenshot({ path: `${SHOTS}/admin-password-reset.png`, fullPage: true });

    // Quarantine: a safe file name is shown, with who sent it; download, re-ingest, delete.
    const safeName = `IM${String(n).padStart(6, '0')}.dcm`;
    await page.goto('/upload');
    await page.getByTestId('upload-input').setInputFiles({ name: safeName, mimeType: 'application/dicom', buffer: Buffer.from(`not DICOM ${n} `.repeat(10)) });
    await expect(page.getByTestId('upload-status')).toHaveText(/1 quarantined/, { timeout: 30_000 });
    await page.goto('/admin/quarantine');
    const entry = page.getByTestId('quarantine-row').filter({ hasText: safeName });
    await expect(entry).toHaveCount(1);
    await expect(entry).toContainText('Upload by e2e-admin');
    await expect(entry).toContainText('DICOM_NOT_DICOM');
    await page.screenshot({ path: `${SHOTS}/admin-quarantine-actions.png`, fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), entry.getByTestId('quarantine-download').click()]);
    expect(download.suggestedFilename()).toMatch(/^quarantine-[A-Za-z0-9-]+\.bin$/);
    await entry.getByTestId('quarantine-reingest').click();
    await expect(page.getByTestId('quarantine-notice')).toContainText('Still refused: DICOM_NOT_DICOM');
    await expect(entry).toHaveCount(1);
    await entry.getByTestId('quarantine-delete').click();
    await entry.getByTestId('quarantine-delete').click();
    await expect(page.getByTestId('quarantine-notice')).toContainText('Deleted from quarantine.');
    await expect(entry).toHaveCount(0);

    // The journal has every step, in the page and in its CSV.
    const actions = ['user.created', 'user.password_reset', 'upload.received', 'quarantine.viewed', 'quarantine.downloaded', 'quarantine.reingested', 'quarantine.deleted'];
    const journal = (await (await page.request.get('/api/audit?limit=100')).json()) as Journal;
    for (const action of actions) expect(journal.entries.some((e) => e.action === action), action).toBe(true);
    expect(JSON.stringify(journal)).not.toContain(second);
    const csv = await (await page.request.get('/api/audit?format=csv&action=user.password_reset')).text();
    expect(csv).toContain('user.password_reset');
    await page.goto('/audit');
    const table = page.getByTestId('audit-table');
    await expect(table.getByText("Reset an account's password").first()).toBeVisible();
    await expect(table.getByText('Deleted a quarantined file').first()).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/audit-account-and-data-events.png`, fullPage: true });
  });
});
