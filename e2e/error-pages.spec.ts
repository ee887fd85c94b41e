import { expect, test, type Page } from '@playwright/test';
import { signIn } from './support/sign-in';

const SHOTS = 'e2e/.artifacts/screenshots';

/** Every console message that says the page's Content-Security-Policy refused something. */
function collectViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });
  return violations;
}

test.describe('not-found and error pages', () => {
  // not-a-uid is a safe (RSNA-style) UID since lib/dicom-uid.ts, so an unsafe one stands for 'not a UID';
  // a valid UID of a study that was never received is not found either (a 404, not an empty study page).
  for (const path of ['/studies/not!a!uid', '/studies/1.2.826.0.1.3680043.8.498.4040404', '/no-such-page']) {
    test(`${path}: a styled page with a way back, under the nonce CSP with no violation`, async ({ page }) => {
      await signIn(page);
      const violations = collectViolations(page);
      const response = await page.goto(path);
      expect(response?.status()).toBe(404);
      expect(response?.headers()['content-security-policy']).toMatch(/'nonce-[A-Za-z0-9+/=]{20,}'/);
      await expect(page.getByRole('heading', { name: 'Nothing here' })).toBeVisible();
      // The app's own dark surface, not Next's bare white page.
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background).toBe('rgb(11, 16, 23)');
      // Hydrated: the page's scripts ran (a refused script would leave it static).
      await page.waitForLoadState('networkidle');
      await page.screenshot({ path: `${SHOTS}/not-found${path.replace(/\W+/g, '-')}.png` });
      expect(violations).toEqual([]);
      await page.getByTestId('back-to-worklist').click();
      await expect(page.getByRole('heading', { name: 'Worklist' })).toBeVisible();
      expect(violations).toEqual([]);
    });
  }

  test('the pages name a favicon that the server serves', async ({ page }) => {
    await page.goto('/login');
    const href = await page.locator('link[rel="icon"]').first().getAttribute('href');
    expect(href).toBeTruthy();
    const icon = await page.request.get(href!);
    expect(icon.status()).toBe(200);
    expect(icon.headers()['content-type']).toContain('image/svg+xml');
  });
});
