import { expect, request as apiRequest, test, type Page } from '@playwright/test';
import { zipSync } from 'fflate';
import { signIn } from './support/sign-in';
import { phantomStudy, storeOverDicom, waitUntilTriaged } from './support/studies';

// Gitignored: screenshots are for looking at, not for the repository.
const SHOTS = 'e2e/.artifacts/screenshots';
const CLINICIAN_PASSWORD = 'clinician-own-passphrase-3';

/** A first sign-in with a one-time password: the password change is forced before anything else. */
async function firstSignIn(page: Page, username: string, oneTimePassword: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(oneTimePassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account\/password$/, { timeout: 30_000 });
  // Nothing else opens before the password is changed.
  await page.goto('/');
  await expect(page).toHaveURL(/\/account\/password$/);
  await page.getByLabel('Current password').fill(oneTimePassword);
  await page.getByLabel(/^New password \(/).fill(CLINICIAN_PASSWORD);
  await page.getByLabel('New password again').fill(CLINICIAN_PASSWORD);
  await page.getByRole('button', { name: 'Save new password' }).click();
  await expect(page.getByRole('heading', { name: 'Worklist' })).toBeVisible({ timeout: 30_000 });
}

/** A STOW-RS request body: one application/dicom part. */
function stowBody(file: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from('--e2e\r\nContent-Type: application/dicom\r\n\r\n'), Buffer.from(file), Buffer.from('\r\n--e2e--\r\n')]);
}

test.describe('the admin pages', () => {
  test('an admin creates a clinician, who must choose a password, sees only the worklist and the patient’s name the admin does not', async ({ page, browser }) => {
    test.setTimeout(120_000);
    await signIn(page);
    const seed = 80_000 + (Date.now() % 10_000);
    const study = phantomStudy({ seed, hemorrhage: 'subarachnoid', slices: 6, size: 128 });
    await storeOverDicom(study.files);

    // Create the account: the one-time password is shown once.
    const username = `clin-${seed}`;
    await page.goto('/admin/users');
    const form = page.getByRole('form', { name: 'Create an account' });
    await form.getByLabel('Username').fill(username);
    await form.getByLabel(/^Display name/).fill('Dr E2E');
    await expect(form.getByLabel('Role')).toHaveValue('clinician');
    await form.getByRole('button', { name: 'Create' }).click();
    const secret = page.getByTestId('secret-once');
    await expect(secret).toContainText(`One-time password for ${username}`);
    const oneTimePassword = (await page.getByTestId('secret-value').textContent())!.trim();
    expect(oneTimePassword.length).toBeGreaterThanOrEqual(12);
    const row = page.getByTestId(`user-${username}`);
    await expect(row).toContainText('Must choose a password');
    await page.screenshot({ path: `${SHOTS}/admin-users-one-time-password.png`, fullPage: true });
    await secret.getByRole('button', { name: 'Done, hide it' }).click();
    await expect(secret).toHaveCount(0);
    await page.reload();
    await expect(page.getByTestId(`user-${username}`)).toBeVisible();
    await expect(page.getByText(oneTimePassword)).toHaveCount(0);

    // The clinician, in a browser of their own.
    const clinicianContext = await browser.newContext({ baseURL: test.info().project.use.baseURL });
    try {
      const clinician = await clinicianContext.newPage();
      await firstSignIn(clinician, username, oneTimePassword);
      for (const hidden of ['Operations', 'Audit history', 'Upload', 'Users', 'Service tokens', 'Quarantine']) {
        await expect(clinician.getByRole('link', { name: hidden, exact: true })).toHaveCount(0);
      }
      await clinician.screenshot({ path: `${SHOTS}/clinician-worklist-own-view.png`, fullPage: true });
      for (const path of ['/admin/users', '/admin/tokens', '/admin/quarantine', '/operations', '/audit', '/upload']) {
        await clinician.goto(path);
        await expect(clinician, `${path} is not for clinicians`).not.toHaveURL(new RegExp(`${path}$`));
        // Told why, not silently bounced, and one click from the worklist.
        await expect(clinician.getByRole('heading', { name: 'Not available to your role' })).toBeVisible();
        await expect(clinician.getByTestId('forbidden')).toContainText(`signed in as ${username} (clinician)`);
      }
      await clinician.screenshot({ path: `${SHOTS}/clinician-refused-admin-page.png`, fullPage: true });
      await clinician.getByRole('link', { name: 'Back to the worklist' }).click();
      await expect(clinician.getByRole('heading', { name: 'Worklist' })).toBeVisible();
      // The same for the APIs behind those pages.
      expect((await clinician.request.get('/api/auth/users')).status()).toBe(403);
      expect((await clinician.request.get('/api/audit')).status()).toBe(403);

      // The clinician treating the patient sees the name; the admin only the masked display.
      await waitUntilTriaged(page.request, [study.studyInstanceUid]);
      const [family, given] = study.patientName.split('^');
      await clinician.goto(`/studies/${study.studyInstanceUid}`);
      await expect(clinician.getByTestId('patient')).toContainText(`${family}, ${given}`);
      await expect(clinician.getByTestId('slice-viewer')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
      // The long identity wraps inside the title; the connection indicator stays on the header's first line.
      const [title, indicator] = [await clinician.getByTestId('patient').boundingBox(), await clinician.getByTestId('connection').boundingBox()];
      expect(indicator!.y).toBeLessThan(title!.y + title!.height);
      await clinician.screenshot({ path: `${SHOTS}/clinician-study-header-identity.png` });
      await page.goto(`/studies/${study.studyInstanceUid}`);
      await expect(page.getByTestId('patient')).toBeVisible();
      await expect(page.getByTestId('slice-viewer')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
      await expect(page.getByTestId('patient')).not.toContainText(family!);
      await expect(page.getByTestId('patient')).not.toContainText(given!);
      const detail = (await (await page.request.get(`/api/studies/${study.studyInstanceUid}`)).json()) as { patientIdentity?: unknown };
      expect(detail.patientIdentity ?? null).toBeNull();
      await page.screenshot({ path: `${SHOTS}/admin-study-header-masked.png` });
    } finally {
      await clinicianContext.close();
    }
  });

  test('a service token works with Authorization: Bearer until it is revoked', async ({ page, baseURL }) => {
    await signIn(page);
    await page.goto('/admin/tokens');
    const name = `pacs-${Date.now() % 100_000}`;
    const form = page.getByRole('form', { name: 'Create a token' });
    await form.getByLabel('Name').fill(name);
    await expect(form.getByLabel('Role')).toHaveValue('integration');
    await form.getByRole('button', { name: 'Create' }).click();
    const token = (await page.getByTestId('secret-value').textContent())!.trim();
    expect(token.length).toBeGreaterThan(20);
    await page.screenshot({ path: `${SHOTS}/admin-token-created.png`, fullPage: true });

    // STOW-RS from a client with no cookies at all: only the bearer token speaks for it.
    const slices = phantomStudy({ seed: 60_000 + (Date.now() % 9_000), hemorrhage: null, slices: 2, size: 64 }).files;
    const client = await apiRequest.newContext({ baseURL });
    try {
      const stow = (file: Uint8Array, authorization?: string) =>
        client.post('/dicomweb/studies', { headers: { ...(authorization ? { authorization } : {}), 'content-type': 'multipart/related; type="application/dicom"; boundary=e2e' }, data: stowBody(file) });
      expect((await stow(slices[0]!)).status()).toBe(401);
      expect((await stow(slices[0]!, `Bearer ${token}x`)).status()).toBe(401);
      const stored = await stow(slices[0]!, `Bearer ${token}`);
      expect(stored.status()).toBe(200);
      expect(stored.headers()['content-type']).toContain('application/dicom+json');
      // The admin sees that it was used.
      await page.reload();
      await expect(page.getByTestId(`token-${name}`).locator('td').nth(3)).not.toHaveText(/^(—|never|)$/);

      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: `Revoke ${name}` }).click();
      await expect(page.getByTestId(`token-${name}`)).toContainText('Revoked');
      await page.screenshot({ path: `${SHOTS}/admin-token-revoked.png`, fullPage: true });
      const refused = await stow(slices[1]!, `Bearer ${token}`);
      expect(refused.status()).toBe(401);
      expect(((await refused.json()) as { error?: { code?: string } }).error?.code).toBe('UNAUTHENTICATED');
    } finally {
      await client.dispose();
    }
  });

  test('upload: a zip of two slices is stored file by file; a bad file is quarantined and listed with its reason', async ({ page }) => {
    test.setTimeout(90_000);
    await signIn(page);
    const seed = 90_000 + (Date.now() % 9_000);
    const study = phantomStudy({ seed, hemorrhage: null, slices: 2, size: 128 });
    const zip = zipSync({ 'head/slice-1.dcm': study.files[0]!, 'head/slice-2.dcm': study.files[1]! });

    await page.goto('/upload');
    await page.getByTestId('upload-input').setInputFiles({ name: 'two-slices.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
    await expect(page.getByTestId('upload-status')).toHaveText('2 files: 2 stored, 0 already here, 0 quarantined, 0 refused, 0 failed', { timeout: 30_000 });
    const results = page.getByTestId('upload-results').locator('tbody tr');
    await expect(results).toHaveCount(2);
    for (const r of await results.all()) {
      await expect(r.locator('td').nth(0)).toContainText(/slice-[12]\.dcm/);
      await expect(r.locator('td').nth(1)).toHaveText('stored');
    }
    await page.screenshot({ path: `${SHOTS}/upload-zip-results.png`, fullPage: true });

    // A file that is not DICOM at all.
    const badName = `not-a-scan-${seed}.dcm`;
    await page.getByTestId('upload-input').setInputFiles({ name: badName, mimeType: 'application/dicom', buffer: Buffer.from('this is a text file, not DICOM '.repeat(20)) });
    await expect(page.getByTestId('upload-status')).toHaveText(/^1 files?: 0 stored, 0 already here, 1 quarantined/, { timeout: 30_000 });
    const bad = page.getByTestId('upload-results').locator('tbody tr');
    await expect(bad).toHaveCount(1);
    await expect(bad.locator('td').nth(1)).toHaveText('quarantined');
    await expect(bad.locator('td').nth(2)).toContainText('DICOM_NOT_DICOM');

    await page.goto('/admin/quarantine');
    const listed = page.getByTestId('quarantine-table').locator('tbody tr').filter({ hasText: 'DICOM_NOT_DICOM' });
    await expect(listed).toHaveCount(1);
    await expect(listed).toContainText(/upload/i);
    await expect(listed).toContainText('620 B');
    await page.screenshot({ path: `${SHOTS}/admin-quarantine.png`, fullPage: true });
  });
});
