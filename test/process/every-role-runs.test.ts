import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '@/server/db';
import { CStoreClient } from '@/server/demo';
import { generatePhantomStudy } from '@/server/phantoms';
import { startServerProcess, type ServerProcess } from '@/test/support/server-process';
import { postgresDatabases } from '@/test/support/test-databases';

/**
 * Issue 15 item 1: every role runs as a real process long enough for each periodic task to fire
 * many times (heartbeat every 0.25 s, journal prune and retention sweep every 0.5 s, job leases
 * of 0.6 s renewed every 0.2 s, the aging/completion sweep every 0.25 s), with a study flowing
 * through it. A node that crashes, or logs an error, an unhandled rejection or an uncaught
 * exception at any point, fails the test; so does one that does not stop cleanly on SIGTERM.
 */

/** How long each node runs: at least ~40 beats of the slowest periodic task here. */
const RUN_MS = Number(process.env.PROCESS_TEST_RUN_MS ?? 20_000);
const PERIODIC = {
  HEARTBEAT_INTERVAL_S: '0.25',
  JOURNAL_PRUNE_INTERVAL_S: '0.5',
  RETENTION_SWEEP_INTERVAL_S: '0.5',
  DICOM_RETENTION_DAYS: '1',
  JOB_LEASE_S: '0.6',
  STUDY_QUIET_PERIOD_S: '1',
  // Next dev in its own folder: another dev server in the checkout holds `.next/dev`'s lock.
  NEXT_DIST_DIR: '.next-process-tests',
};
const AE = { callingAeTitle: 'ROLETEST', calledAeTitle: 'ICHTRIAGE' };

const dirs: string[] = [];
let servers: ServerProcess[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.kill9();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(role: 'all' | 'web' | 'worker', dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess({ dataDir, env: { ...PERIODIC, ...env, SERVER_ROLE: role } });
  servers.push(server);
  return server;
}

async function sendStudy(server: ServerProcess, seed: number): Promise<string> {
  const study = generatePhantomStudy({ seed, slices: 12, size: 128, hemorrhage: seed % 2 ? 'subdural' : null });
  const { failed } = await new CStoreClient({ host: '127.0.0.1', port: server.dicomPort, ...AE }).send(study.slices.map((s) => s.bytes));
  expect(failed).toBe(0);
  return study.studyInstanceUid;
}

async function untilTriaged(target: { databaseUrl?: string; dataDir: string }, uids: string[], timeoutMs = 120_000): Promise<void> {
  const db = await openDatabase({ ...target, log: { info: () => undefined, warn: () => undefined } });
  try {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const triaged = await db.prisma.study.count({ where: { StudyInstanceUID: { in: uids }, status: 'triaged' } });
      if (triaged === uids.length) return;
      if (Date.now() > end) throw new Error(`${triaged} of ${uids.length} studies triaged after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await db.close();
  }
}

/** Keeps the nodes running until `RUN_MS` after `since`, failing at once if one dies or logs a problem. */
async function runFor(since: number, nodes: ServerProcess[]): Promise<void> {
  while (performance.now() - since < RUN_MS) {
    for (const n of nodes) {
      expect(n.problems(), n.output().slice(-4000)).toEqual([]);
      expect(n.alive(), `node ${n.pid} died:\n${n.output().slice(-4000)}`).toBe(true);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** SIGTERM to the server's own PID: it drains and exits 0, with nothing logged at error level. */
async function stopCleanly(node: ServerProcess): Promise<void> {
  const code = await node.stop(30_000);
  servers = servers.filter((s) => s !== node);
  expect(code, node.output().slice(-4000)).toBe(0);
  expect(node.problems()).toEqual([]);
}

describe('every role as a real process, with its periodic tasks firing (issue 15 item 1)', () => {
  const pg = postgresDatabases();

  it.skipIf(pg.unavailable)('SERVER_ROLE=web and SERVER_ROLE=worker on one PostgreSQL run, triage, and stop cleanly', { timeout: 600_000 }, async () => {
    await pg.start();
    try {
      const target = await pg.fresh();
      const dataDir = mkdtempSync(join(tmpdir(), 'ich-roles-'));
      dirs.push(dataDir);
      const env = { DATABASE_URL: target.databaseUrl! };
      // The worker first: it must survive on its own (issue 15 item 1 crashed it within 5 s).
      const worker = await start('worker', dataDir, env);
      const since = performance.now();
      const web = await start('web', dataDir, env);
      expect(worker.output()).toMatch(/"role":"worker"/);
      const uids = [await sendStudy(web, 7101), await sendStudy(web, 7102)];
      await untilTriaged({ databaseUrl: target.databaseUrl, dataDir }, uids);
      await runFor(since, [worker, web]);
      await stopCleanly(web);
      await stopCleanly(worker);
    } finally {
      await pg.stop();
    }
  });

  it('SERVER_ROLE=all on SQLite runs, triages, and stops cleanly', { timeout: 600_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ich-role-all-'));
    dirs.push(dataDir);
    const node = await start('all', dataDir);
    const since = performance.now();
    const uids = [await sendStudy(node, 7201), await sendStudy(node, 7202)];
    await untilTriaged({ dataDir }, uids);
    await runFor(since, [node]);
    await stopCleanly(node);
  });
});
