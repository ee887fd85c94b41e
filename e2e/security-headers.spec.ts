import { expect, test } from '@playwright/test';
import { signIn } from './support/sign-in';

test('pages carry a nonce CSP and the hardening headers, and the signed-in dashboard runs under them', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });

  const response = await page.goto('/login');
  const headers = response!.headers();
  const csp = headers['content-security-policy'] ?? '';
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}' 'strict-dynamic'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['x-frame-options']).toBe('DENY');

  // A new nonce on every request.
  const again = await page.request.get('/login');
  expect(again.headers()['content-security-policy']).not.toBe(csp);

  // The scripts Next renders run: hydration, the live socket and the worklist work under the policy.
  await signIn(page);
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'live');
  expect(violations).toEqual([]);

  const api = await page.request.get('/api/worklist');
  expect(api.headers()['x-content-type-options']).toBe('nosniff');
});
