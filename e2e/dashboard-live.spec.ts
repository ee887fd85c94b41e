import { expect, test } from '@playwright/test';
import { signIn } from './support/sign-in';

test.describe('the dashboard is live', () => {
  test('loads, connects over Socket.IO and receives server events', async ({ page }) => {
    await signIn(page);
    await expect(page.getByRole('heading', { name: 'ICH Triage' })).toBeVisible();

    const connection = page.getByTestId('connection');
    await expect(connection).toHaveAttribute('data-state', 'live');
    await expect(connection).toHaveText('Live');

    // system:status arrives on connect and carries the server version.
    await expect(page.getByTestId('server-version')).toHaveText(/^\d+\.\d+\.\d+$/);

    // Heartbeats keep arriving: the sequence number shown must increase.
    const heartbeat = page.getByTestId('last-heartbeat');
    await expect(heartbeat).toHaveText(/^#\d+ at /);
    const first = Number((await heartbeat.textContent())?.match(/#(\d+)/)?.[1]);
    await expect
      .poll(async () => Number((await heartbeat.textContent())?.match(/#(\d+)/)?.[1]), { timeout: 5_000 })
      .toBeGreaterThan(first);
  });

  test('the health endpoint reports the running server', async ({ request }) => {
    const res = await request.get('/api/health');
    expect(res.status()).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok', model: { provider: 'cpu' } });
    expect((body.model as { name: string }).name).toMatch(/^[a-z0-9-]+$/);
    expect(typeof body.startedAt).toBe('string');
  });
});
