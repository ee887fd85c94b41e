import { expect, test } from '@playwright/test';
import { E2E_USER, signIn } from './support/sign-in';

test.describe('signing in and out', () => {
  test('without a session the dashboard sends you to sign in, and the API and STOW-RS refuse', async ({ page, request }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole('form', { name: 'Sign in' })).toBeVisible();

    expect((await request.get('/api/worklist')).status()).toBe(401);
    expect((await request.post('/dicomweb/studies', { headers: { 'content-type': 'multipart/related; type="application/dicom"; boundary=x' }, data: '--x--' })).status()).toBe(401);
    const health = await request.get('/api/health');
    expect(health.status()).toBe(200);
  });

  test('a wrong password shows an error; the right one reaches the worklist; signing out returns to sign-in', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Username').fill(E2E_USER);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('login-error')).toHaveText('invalid username or password');
    await expect(page).toHaveURL(/\/login$/);

    await signIn(page);
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'live');
    await expect(page.getByTestId('signed-in-user')).toContainText(E2E_USER);
    expect((await page.request.get('/api/worklist')).status()).toBe(200);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login$/);
    // The session was revoked, not just forgotten by the browser.
    expect((await page.request.get('/api/worklist')).status()).toBe(401);
    await page.goto('/');
    await expect(page).toHaveURL(/\/login$/);
  });
});
