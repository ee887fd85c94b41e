import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/server/db';
import { createLogger } from '@/server/logging';
import { EventJournal, RealtimeHub } from '@/server/realtime';

/**
 * Issue 15 item 1: a worker node's hub has no HTTP server (no engine, no clients). Its heartbeat
 * timer and journal pruner still run; neither may throw, or the rejection ends the process.
 */
describe('RealtimeHub without an HTTP server (SERVER_ROLE=worker)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'realtime-hub-detached-'));
  let db: Database;

  beforeAll(async () => {
    db = await openDatabase({ dataDir: dir, log: createLogger('silent') });
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs its heartbeat and pruner many times without an error or an unhandled rejection', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    const logged: string[] = [];
    // Warnings and errors the hub logs are collected: a heartbeat that fails is a failure here too.
    const log = pino({ level: 'warn' }, { write: (line: string) => logged.push(line) });
    const hub = new RealtimeHub(
      undefined,
      {
        heartbeatIntervalMs: 10,
        pruneIntervalMs: 10,
        status: () => ({ version: '0.0.0-test', startedAt: '2026-01-01T00:00:00.000Z', model: null }),
        authenticate: async () => null,
        journal: new EventJournal(db.prisma, db.provider),
      },
      log,
    );
    try {
      hub.start();
      await new Promise((r) => setTimeout(r, 300));
      expect(rejections).toEqual([]);
      expect(logged).toEqual([]);
    } finally {
      await hub.stop();
      process.off('unhandledRejection', onRejection);
    }
  });
});
