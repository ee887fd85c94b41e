import { expect, test, type Page } from '@playwright/test';
import { E2E_PASSWORD, E2E_USER, signIn } from './support/sign-in';

async function submitSignIn(page: Page): Promise<void> {
  await page.getByLabel('Username').fill(E2E_USER);
  await page.getByLabel('Password').fill(E2E_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test.describe('deep links', () => {
  test.beforeEach(async ({ page }) => {
    // The first sign-in of a fresh server changes the initial password; then sign out again.
    await signIn(page);
    await page.context().clearCookies();
  });

  test('a study link opened signed out comes back to that study after sign-in', async ({ page }) => {
    const link = '/studies/1.2.826.0.1.3680043.8.498.999?slice=1.2.826.0.1.3680043.8.498.999.1';
    await page.goto(link);
    await expect(page).toHaveURL(/\/login\?next=/);
    await submitSignIn(page);
    await expect(page).toHaveURL(link, { timeout: 30_000 });
  });

  test('another page (the audit history) comes back too', async ({ page }) => {
    await page.goto('/audit');
    await expect(page).toHaveURL('/login?next=%2Faudit');
    await submitSignIn(page);
    await expect(page).toHaveURL('/audit', { timeout: 30_000 });
  });

  test('a study link opened with a stale session cookie (garbage, or a session that was signed out) comes back to that study too', async ({ page, context, baseURL }) => {
    const link = '/studies/1.2.826.0.1.3680043.8.498.999?slice=1.2.826.0.1.3680043.8.498.999.1';
    // A cookie the server never issued: the proxy sees a cookie, the page's own check refuses it.
    await context.addCookies([{ name: 'ich_session', value: 'x'.repeat(43), url: baseURL! }]);
    await page.goto(link);
    await expect(page).toHaveURL(`/login?next=${encodeURIComponent(link)}`);
    // A real session, ended on the server (as expiry or an admin's disable would), its cookie kept.
    await signIn(page);
    const cookie = (await context.cookies()).find((c) => c.name === 'ich_session')!;
    expect((await page.request.post('/api/auth/logout', { headers: { origin: new URL(baseURL!).origin } })).status()).toBe(204);
    await context.addCookies([cookie]);
    await page.goto(link);
    await expect(page).toHaveURL(`/login?next=${encodeURIComponent(link)}`);
    await submitSignIn(page);
    await expect(page).toHaveURL(link, { timeout: 30_000 });
  });

  for (const evil of ['//evil.example', 'https://evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
    test(`an open redirect (${evil}) is refused: the worklist instead`, async ({ page }) => {
      await page.goto(`/login?next=${encodeURIComponent(evil)}`);
      await submitSignIn(page);
      await expect(page.getByRole('heading', { name: 'Worklist' })).toBeVisible({ timeout: 30_000 });
      expect(new URL(page.url()).host).toBe(new URL(test.info().project.use.baseURL!).host);
      expect(new URL(page.url()).pathname).toBe('/');
    });
  }
});
