import { spawn } from 'node:child_process';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/server/db';
import { DEFAULT_NOTIFY_SETTINGS, registerNotifiers } from '@/server/notify';
import { startTestReceiver } from '@/test/support/http-receiver';
import { allTestDatabases, memoryLog } from '@/test/support/test-databases';
import { OutboxDispatcher } from './outbox-dispatcher';

const CHILD = path.join(import.meta.dirname, '../../test/support/outbox-kill-child.ts');

describe.each(allTestDatabases())('a node killed with SIGKILL mid-delivery on $provider', (dbs) => {
  const open: Database[] = [];
  beforeAll(async () => {
    if (!dbs.unavailable) await dbs.start();
  }, 60_000);
  afterAll(async () => {
    for (const db of open) await db.close();
    await dbs.stop();
  });

  it.skipIf(dbs.unavailable)('loses nothing: after its lease another node delivers the message it held, with the same event id', async () => {
    const target = await dbs.fresh();
    // The first request hangs (the doomed node is mid-delivery when it dies); later ones are accepted.
    const receiver = await startTestReceiver((_r, n) => (n === 1 ? 0 : 200));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, target.databaseUrl ?? '', target.dataDir, receiver.url.toString()], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      await new Promise<void>((resolve, reject) => {
        receiver.onRequest(() => resolve());
        child.on('exit', () => reject(new Error('the child exited before delivering')));
      });
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      const db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir, log: memoryLog() });
      open.push(db);
      const row = await db.prisma.outboxMessage.findFirstOrThrow();
      expect(row).toMatchObject({ state: 'delivering', leaseOwner: 'doomed', attempts: 1 });
      const survivor = new OutboxDispatcher({ prisma: db.prisma, log: pino({ level: 'silent' }), owner: 'survivor', pollIntervalMs: 200 });
      registerNotifiers(survivor, { ...DEFAULT_NOTIFY_SETTINGS, webhook: { url: receiver.url, secret: 'kill-test-secret-0123456789', events: 'flagged' } });
      survivor.start();
      await expect.poll(async () => (await db.prisma.outboxMessage.findFirstOrThrow()).state, { timeout: 30_000, interval: 250 }).toBe('delivered');
      await survivor.stop();
      expect(await db.prisma.outboxMessage.findFirstOrThrow()).toMatchObject({ attempts: 2, leaseOwner: null, lastError: null });
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[1]!.headers['x-ich-event-id']).toBe(receiver.received[0]!.headers['x-ich-event-id']);
      expect(receiver.received[1]!.body.equals(receiver.received[0]!.body)).toBe(true);
    } finally {
      await receiver.close();
    }
  }, 120_000);
});
