import { expect, type Page } from '@playwright/test';

/** The first admin of the e2e server (playwright.config.ts passes these as ADMIN_USERNAME/PASSWORD). */
export const E2E_USER = 'e2e-admin';
export const E2E_INITIAL_PASSWORD = 'e2e-initial-password-1';
/** What the first sign-in changes the initial password to (the change is forced). */
export const E2E_PASSWORD = 'e2e-chosen-passphrase-2';

async function submitLogin(page: Page, password: string): Promise<void> {
  await page.getByLabel('Username').fill(E2E_USER);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Signs the page in as the e2e admin and waits for the worklist. On a fresh server the first
 * sign-in uses the initial password and goes through the forced password change, as a newcomer's
 * would; later ones use the chosen password.
 */
export async function signIn(page: Page): Promise<void> {
  await page.goto('/login');
  await submitLogin(page, E2E_PASSWORD);
  const worklist = page.getByRole('heading', { name: 'Worklist' });
  const refused = page.getByTestId('login-error');
  await expect(worklist.or(refused)).toBeVisible({ timeout: 30_000 });
  if (await refused.isVisible()) {
    await submitLogin(page, E2E_INITIAL_PASSWORD);
    await expect(page).toHaveURL(/\/account\/password$/, { timeout: 30_000 });
    await page.getByLabel('Current password').fill(E2E_INITIAL_PASSWORD);
    await page.getByLabel(/^New password \(/).fill(E2E_PASSWORD);
    await page.getByLabel('New password again').fill(E2E_PASSWORD);
    await page.getByRole('button', { name: 'Save new password' }).click();
  }
  await expect(worklist).toBeVisible({ timeout: 30_000 });
}
