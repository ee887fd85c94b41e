import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/server/db';
import { CStoreClient } from '@/server/demo';
import { generatePhantomStudy } from '@/server/phantoms';
import { startServerProcess, type ServerProcess } from '@/test/support/server-process';

/**
 * Issue 15 item 4: the built server (`node dist/server/main.js`, what `npm start` runs) is one
 * process whose PID a supervisor can signal. SIGTERM or SIGINT in the middle of a DICOM association
 * drains: the association runs to its end with every slice acknowledged and stored, the pipeline
 * leaves no job leased, and the process exits 0 with nothing logged at error level.
 */
const SLICES = 30;
const AE = { callingAeTitle: 'DRAINTEST', calledAeTitle: 'ICHTRIAGE' };

describe('graceful stop of the built server (real process)', () => {
  let server: ServerProcess | undefined;
  let dataDir: string | undefined;
  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/build-server.mjs'], { stdio: 'pipe' });
  }, 60_000);
  afterEach(async () => {
    await server?.kill9();
    server = undefined;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s mid-association: every slice sent is acknowledged and stored, no lease is left, exit 0', { timeout: 300_000 }, async (signal) => {
    dataDir = mkdtempSync(join(tmpdir(), 'ich-drain-'));
    server = await startServerProcess({ dataDir, entry: 'built', env: { SHUTDOWN_GRACE_S: '60', NEXT_DIST_DIR: '.next-process-tests', JOB_LEASE_S: '30' } });
    const study = generatePhantomStudy({ seed: 8100 + signal.length, slices: SLICES, size: 256, hemorrhage: 'subdural' });
    const db = await openDatabase({ dataDir, log: { info: () => undefined, warn: () => undefined } });
    try {
      // One association for the whole study, as most modalities send.
      const sending = new CStoreClient({ host: '127.0.0.1', port: server.dicomPort, ...AE }).send(study.slices.map((s) => s.bytes));
      const end = Date.now() + 60_000;
      while ((await db.prisma.instance.count()) < 3) {
        if (Date.now() > end) throw new Error('no slice stored within 60 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      const stopping = server.stop(90_000, signal);
      const { failed, results } = await sending;
      const code = await stopping;

      expect(failed, JSON.stringify(results.filter((r) => !r.ok).slice(0, 3))).toBe(0);
      expect(code, server.output().slice(-3000)).toBe(0);
      expect(server.problems()).toEqual([]);
      expect(server.output()).toMatch(/"msg":"stopped"/);
      expect(await db.prisma.instance.count()).toBe(SLICES);
      expect(await db.prisma.job.count({ where: { status: 'leased' } })).toBe(0);
    } finally {
      await db.close();
    }
  });
});
