import { defineConfig, devices } from '@playwright/test';
import { E2E_INITIAL_PASSWORD, E2E_USER } from './e2e/support/sign-in';

const PORT = Number(process.env.E2E_PORT ?? 3199);
// Separate output folders (and ports) let two runs share one checkout without wiping each other's data.
const OUTPUT_DIR = process.env.E2E_OUTPUT_DIR ?? 'test-results';

/**
 * End-to-end tests against the real custom server (production build) in Debian's Chromium.
 * Browsers are never downloaded: CHROMIUM_PATH (default /usr/bin/chromium) is used as is.
 */
export default defineConfig({
  testDir: './e2e',
  outputDir: `./${OUTPUT_DIR}`,
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  timeout: 60_000,
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
        },
      },
    },
  ],
  webServer: {
    // A fresh database each run: the first admin is created from ADMIN_* and must change its password.
    command: `rm -rf ${OUTPUT_DIR}/e2e-data && tsx server/main.ts`,
    url: `http://127.0.0.1:${PORT}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      NODE_ENV: 'production',
      PORT: String(PORT),
      HOST: '127.0.0.1',
      DATA_DIR: `./${OUTPUT_DIR}/e2e-data`,
      DEMO_SCANNER: 'off',
      DICOM_PORT: String(PORT + 8000),
      INFERENCE_PROVIDERS: 'cpu',
      HEARTBEAT_INTERVAL_S: '0.5',
      LOG_LEVEL: 'warn',
      STUDY_QUIET_PERIOD_S: '2',
      // Operations alarms judge a rate from its first study, so a short e2e run can raise one.
      OPS_ALARM_MIN_STUDIES: '1',
      // Every e2e sign-in comes from 127.0.0.1: more than the default 20 per 10 minutes.
      LOGIN_ADDRESS_LIMIT: '10000',
      // Every decision is announced to a webhook nobody listens on: the operations page's outbox then
      // has messages that keep failing (e2e/outbox-panel.spec.ts).
      NOTIFY_WEBHOOK_URL: 'http://127.0.0.1:59999/ich-e2e-webhook',
      NOTIFY_WEBHOOK_SECRET: 'e2e-webhook-secret-0123456789',
      NOTIFY_WEBHOOK_EVENTS: 'triaged',
      ADMIN_USERNAME: E2E_USER,
      ADMIN_PASSWORD: E2E_INITIAL_PASSWORD,
    },
  },
});
