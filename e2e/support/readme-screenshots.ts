/**
 * Refreshes the README's screenshots (public/readme/*.png) from a running demo server, in Debian's
 * Chromium. Not a test: run it by hand against a server you started (`npm run demo`, or
 * `NODE_ENV=production tsx server/main.ts` with DEMO_SCANNER=on) once a few demo studies are in:
 *
 *   BASE_URL=http://127.0.0.1:3000 SIGN_IN_USER=admin SIGN_IN_PASSWORD=… \
 *     [FIRST_PASSWORD=<the initial one, if the password change is still pending>] \
 *     npx tsx e2e/support/readme-screenshots.ts [min studies, default 6]
 *
 * Then look at every PNG before committing it.
 */
import { chromium, type Page } from '@playwright/test';

const OUT = 'public/readme';
const BASE_URL = need('BASE_URL');
const USER = need('SIGN_IN_USER');
const PASSWORD = need('SIGN_IN_PASSWORD');
const FIRST_PASSWORD = process.env.FIRST_PASSWORD;
const MIN_STUDIES = Number(process.argv[2] ?? 6);

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required (see the comment at the top of this file)`);
  return value;
}

async function signIn(page: Page): Promise<void> {
  const submit = async (password: string) => {
    await page.goto(`${BASE_URL}/login`);
    await page.getByLabel('Username').fill(USER);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  await submit(FIRST_PASSWORD ?? PASSWORD);
  if (FIRST_PASSWORD) {
    await page.waitForURL(/\/account\/password$/, { timeout: 30_000 });
    await page.getByLabel('Current password').fill(FIRST_PASSWORD);
    await page.getByLabel(/^New password \(/).fill(PASSWORD);
    await page.getByLabel('New password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Save new password' }).click();
  }
  await page.getByRole('heading', { name: 'Worklist' }).waitFor({ timeout: 30_000 });
}

/** Waits until the worklist holds `n` triaged studies (the demo scanner sends a few per minute). */
async function waitForStudies(page: Page, n: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const res = await page.request.get(`${BASE_URL}/api/worklist`);
    const { studies } = (await res.json()) as { studies: { status: string }[] };
    const triaged = studies.filter((s) => s.status === 'triaged').length;
    if (triaged >= n) return;
    if (i % 10 === 0) console.warn(`${triaged} of ${n} studies triaged; waiting`);
    await page.waitForTimeout(2_000);
  }
  throw new Error(`fewer than ${n} triaged studies after 20 minutes`);
}

async function main(): Promise<void> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await signIn(page);
    await waitForStudies(page, MIN_STUDIES);
    await page.goto(`${BASE_URL}/`);
    await page.getByTestId('worklist-row').first().waitFor();
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: `${OUT}/worklist.png` });

    // The most urgent study, as a reader opens it from the top of the list.
    await page.getByTestId('worklist-row').first().getByTestId('open-study').click();
    await page.getByTestId('slice-canvas').waitFor({ timeout: 30_000 });
    await page.getByTestId('study-summary').waitFor();
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(1_000); // the chart loads after the viewer
    await page.screenshot({ path: `${OUT}/study-view.png`, fullPage: true });

    await page.goto(`${BASE_URL}/operations`);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(1_000);
    await page.screenshot({ path: `${OUT}/operations.png`, fullPage: true });

    await page.goto(`${BASE_URL}/audit`);
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: `${OUT}/audit.png` });

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, storageState: await context.storageState() });
    const phonePage = await phone.newPage();
    await phonePage.goto(`${BASE_URL}/`);
    await phonePage.getByTestId('worklist-row').first().waitFor();
    await phonePage.waitForLoadState('networkidle');
    // The worklist panel at the top: what a phone shows after one swipe past the site header.
    await phonePage.getByRole('heading', { name: 'Worklist' }).evaluate((h) => h.scrollIntoView({ block: 'start' }));
    await phonePage.screenshot({ path: `${OUT}/phone-worklist.png` });
    console.warn(`screenshots written to ${OUT}/`);
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
