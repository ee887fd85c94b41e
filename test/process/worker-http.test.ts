import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '@/server/auth/secrets';
import { openDatabase } from '@/server/db';
import { freePort, runServerToExit, startServerProcess, type ServerProcess } from '@/test/support/server-process';
import { postgresDatabases } from '@/test/support/test-databases';

/**
 * Issue 13 §5: a `SERVER_ROLE=worker` node, which runs no Next server, answers health probes and
 * Prometheus scrapes on its own small port (WORKER_HTTP_PORT), with a web node's rules: live and
 * ready for anyone, /metrics for admin-role tokens only (401 for a stranger, 403 for another role).
 * The real server as a child process, on SQLite; its tokens are stored the way a web node's
 * API_TOKENS stores them (a worker reads the database the web nodes write).
 */

const ADMIN_TOKEN = randomBytes(32).toString('base64url');
const CLINICIAN_TOKEN = randomBytes(32).toString('base64url');
const quiet = { info: () => undefined, warn: () => undefined };

const dirs: string[] = [];
let servers: ServerProcess[] = [];
let holder: Server | undefined;
afterEach(async () => {
  for (const s of servers.splice(0)) await s.kill9();
  await new Promise((r) => (holder ? holder.close(r) : r(undefined)));
  holder = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function dataDirWithTokens(databaseUrl?: string): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ich-worker-http-'));
  dirs.push(dataDir);
  const db = await openDatabase({ dataDir, databaseUrl, log: quiet });
  try {
    await db.prisma.apiToken.create({ data: { name: 'env:prometheus', role: 'admin', tokenHash: sha256Hex(ADMIN_TOKEN) } });
    await db.prisma.apiToken.create({ data: { name: 'env:ward', role: 'clinician', tokenHash: sha256Hex(CLINICIAN_TOKEN) } });
  } finally {
    await db.close();
  }
  return dataDir;
}

async function startWorker(dataDir: string, env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerProcess({ dataDir, env: { SERVER_ROLE: 'worker', ...env }, startTimeoutMs: 120_000 });
  servers.push(server);
  return server;
}

/** node:http, since fetch will not send a Host header of our choosing. */
function statusWithHost(port: number, path: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
}

const get = (port: number, path: string, headers: Record<string, string> = {}, method = 'GET') =>
  fetch(`http://127.0.0.1:${port}${path}`, { method, headers, signal: AbortSignal.timeout(60_000) });

describe('a worker node serves health and metrics on WORKER_HTTP_PORT (real process)', () => {
  it('live and ready for anyone; /metrics 401 for a stranger, 403 for a clinician token, the worker\'s series for an admin token', { timeout: 300_000 }, async () => {
    const dataDir = await dataDirWithTokens();
    const port = await freePort();
    const worker = await startWorker(dataDir, { WORKER_HTTP_PORT: String(port) });
    expect(worker.output()).toMatch(new RegExp(`"role":"worker","port":${port}`));

    const live = await get(port, '/api/health/live');
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    expect(live.headers.get('cache-control')).toBe('no-store');

    const ready = await get(port, '/api/health/ready');
    const readyBody = (await ready.json()) as { status: string; checks: { name: string; ok: boolean }[] };
    expect(ready.status, JSON.stringify(readyBody)).toBe(200);
    expect(readyBody.status).toBe('ready');
    // A worker has no DICOM listener to check; the rest are a web node's checks.
    expect(readyBody.checks.map((c) => c.name).sort()).toEqual(['database', 'migrations', 'model', 'queue']);

    const stranger = await get(port, '/metrics');
    expect(stranger.status).toBe(401);
    expect(stranger.headers.get('www-authenticate')).toBe('Bearer realm="ich-triage"');
    expect(await stranger.text()).not.toContain('ich_');
    expect((await get(port, '/metrics', { authorization: 'Bearer not-a-token' })).status).toBe(401);
    const clinician = await get(port, '/metrics', { authorization: `Bearer ${CLINICIAN_TOKEN}` });
    expect(clinician.status).toBe(403);

    const admin = await get(port, '/metrics', { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(admin.status).toBe(200);
    expect(admin.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await admin.text();
    // The worker's own series (its model runs, its triage times) that no web node can report.
    expect(text).toMatch(/^ich_inference_batch_seconds_count\{role="worker"\} \d+$/m);
    expect(text).toMatch(/^ich_time_to_triage_seconds_count\{role="worker"\} \d+$/m);
    expect(text).toMatch(/^ich_queue_jobs\{status="pending",role="worker"\} 0$/m);
    expect(text).not.toContain('ich_socket_clients');

    // Nothing else is served here, and a Host not allowed is refused as on a web node.
    expect((await get(port, '/api/worklist', { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(404);
    expect((await get(port, '/metrics', { authorization: `Bearer ${ADMIN_TOKEN}` }, 'POST')).status).toBe(404);
    expect(await statusWithHost(port, '/api/health/live', 'evil.example')).toBe(421);

    expect(await worker.stop(30_000)).toBe(0);
    servers = [];
    expect(worker.problems()).toEqual([]);
  });

  const pg = postgresDatabases();
  it.skipIf(pg.unavailable)('on PostgreSQL (the multi-node set-up): ready, and metrics for the admin token only', { timeout: 300_000 }, async () => {
    await pg.start();
    try {
      const { databaseUrl } = await pg.fresh();
      const dataDir = await dataDirWithTokens(databaseUrl);
      const port = await freePort();
      const worker = await startWorker(dataDir, { WORKER_HTTP_PORT: String(port), DATABASE_URL: databaseUrl! });
      const ready = await get(port, '/api/health/ready');
      expect(ready.status, await ready.clone().text()).toBe(200);
      expect((await get(port, '/metrics')).status).toBe(401);
      const admin = await get(port, '/metrics', { authorization: `Bearer ${ADMIN_TOKEN}` });
      expect(admin.status).toBe(200);
      expect(await admin.text()).toMatch(/^ich_queue_jobs\{status="pending",role="worker"\} 0$/m);
      expect(await worker.stop(30_000)).toBe(0);
      servers = [];
      expect(worker.problems()).toEqual([]);
    } finally {
      await pg.stop();
    }
  });

  it('WORKER_HTTP_PORT=off opens no port', { timeout: 300_000 }, async () => {
    const dataDir = await dataDirWithTokens();
    const port = await freePort();
    // PORT is the web port; a worker never opens it either.
    const worker = await startWorker(dataDir, { WORKER_HTTP_PORT: 'off', PORT: String(port) });
    expect(worker.output()).toMatch(/"msg":"server listening"/);
    await expect(get(port, '/api/health/live')).rejects.toThrow();
    expect(await worker.stop(30_000)).toBe(0);
    servers = [];
  });

  it('a WORKER_HTTP_PORT already taken stops the worker with one fatal line naming it', { timeout: 300_000 }, async () => {
    const dataDir = await dataDirWithTokens();
    const port = await freePort();
    holder = createServer();
    await new Promise<void>((resolve) => holder!.listen(port, '127.0.0.1', resolve));
    const result = await runServerToExit({ dataDir, env: { SERVER_ROLE: 'worker', WORKER_HTTP_PORT: String(port) }, timeoutMs: 120_000 });
    expect(result.code, result.output.slice(-3000)).toBe(1);
    expect(result.problems, result.output.slice(-3000)).toHaveLength(1);
    expect(result.problems[0]).toContain(`worker HTTP port ${port} on 127.0.0.1 (WORKER_HTTP_PORT) is already in use`);
  });
});
