import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openDatabase, type Database } from '@/server/db';
import { allTestDatabases, memoryLog } from '@/test/support/test-databases';
import { PermanentDeliveryError } from './delivery-error';
import { enqueueOutbox } from './enqueue-outbox';
import { listOutbox, outboxSummary, retryOutboxMessage } from './outbox-admin';
import { OutboxDispatcher, type DeliveryOutcome, type OutboxDispatcherOptions } from './outbox-dispatcher';
import { retryDelayMs } from './retry-delay';

const log = pino({ level: 'silent' });
const msg = (n: number) => ({ kind: 'test', eventId: `test:study${n}:1`, studyInstanceUid: `1.2.3.${n}`, payload: { n } });
const later = (ms: number) => new Date(Date.now() + ms);

describe('retryDelayMs', () => {
  it('doubles from the base, stays within half and all of the nominal delay, and is capped', () => {
    const policy = { baseMs: 1000, capMs: 10_000 };
    expect(retryDelayMs(1, policy, () => 0)).toBe(500);
    expect(retryDelayMs(1, policy, () => 1)).toBe(1000);
    expect(retryDelayMs(3, policy, () => 1)).toBe(4000);
    expect(retryDelayMs(50, policy, () => 1)).toBe(10_000);
    expect(retryDelayMs(50, policy, () => 0)).toBe(5000);
  });
});

describe.each(allTestDatabases())('the outbox on $provider', (dbs) => {
  const open: Database[] = [];
  async function fresh(): Promise<Database> {
    const target = await dbs.fresh();
    const db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir, log: memoryLog() });
    open.push(db);
    return db;
  }
  const dispatcher = (db: Database, o: Partial<OutboxDispatcherOptions> = {}) => new OutboxDispatcher({ prisma: db.prisma, log, retry: { baseMs: 1000, capMs: 60_000 }, ...o });

  beforeAll(async () => {
    if (!dbs.unavailable) await dbs.start();
  }, 60_000);
  afterAll(async () => {
    for (const db of open) await db.close();
    await dbs.stop();
  });

  it.skipIf(dbs.unavailable)('keeps one row per eventId, enqueued inside a transaction that commits, none when it rolls back', async () => {
    const db = await fresh();
    await db.prisma.$transaction(async (tx) => {
      await enqueueOutbox(tx, msg(1));
      await enqueueOutbox(tx, { ...msg(1), payload: { n: 99 } });
    });
    await db.prisma.$transaction([enqueueOutbox(db.prisma, msg(2))]);
    await expect(
      db.prisma.$transaction(async (tx) => {
        await enqueueOutbox(tx, msg(3));
        throw new Error('decision not recorded');
      }),
    ).rejects.toThrow('decision not recorded');
    const rows = await db.prisma.outboxMessage.findMany({ orderBy: { eventId: 'asc' } });
    expect(rows.map((r) => [r.eventId, r.payload, r.state])).toEqual([
      ['test:study1:1', { n: 1 }, 'pending'],
      ['test:study2:1', { n: 2 }, 'pending'],
    ]);
  });

  it.skipIf(dbs.unavailable)('prunes delivered rows older than the keep period, never pending, delivering or failed ones', async () => {
    const db = await fresh();
    for (let n = 1; n <= 5; n++) await enqueueOutbox(db.prisma, msg(n));
    const old = new Date(Date.now() - 40 * 86_400_000);
    const recent = new Date(Date.now() - 2 * 86_400_000);
    await db.prisma.outboxMessage.update({ where: { eventId: msg(1).eventId }, data: { state: 'delivered', deliveredAt: old } });
    await db.prisma.outboxMessage.update({ where: { eventId: msg(2).eventId }, data: { state: 'delivered', deliveredAt: recent } });
    await db.prisma.outboxMessage.update({ where: { eventId: msg(3).eventId }, data: { state: 'failed', updatedAt: old } });
    await db.prisma.outboxMessage.update({ where: { eventId: msg(4).eventId }, data: { state: 'delivering', leaseUntil: old } });
    const d = dispatcher(db, { keepDeliveredMs: 30 * 86_400_000 });
    expect(await d.pruneDelivered()).toBe(1);
    const left = await db.prisma.outboxMessage.findMany({ orderBy: { eventId: 'asc' } });
    expect(left.map((r) => [r.eventId, r.state])).toEqual([
      [msg(2).eventId, 'delivered'],
      [msg(3).eventId, 'failed'],
      [msg(4).eventId, 'delivering'],
      [msg(5).eventId, 'pending'],
    ]);
    // keepDeliveredMs 0: pruning is off
    expect(await dispatcher(db, { keepDeliveredMs: 0 }).pruneDelivered(new Date(Date.now() + 365 * 86_400_000))).toBe(0);
  });

  it.skipIf(dbs.unavailable)('delivers due rows of its registered kinds only, and reports each outcome', async () => {
    const db = await fresh();
    await enqueueOutbox(db.prisma, msg(1));
    await enqueueOutbox(db.prisma, { ...msg(2), kind: 'other' });
    const seen: unknown[] = [];
    const outcomes: DeliveryOutcome[] = [];
    const d = dispatcher(db, { onOutcome: (o) => void outcomes.push(o) });
    d.registerDeliverer('test', async (m) => {
      seen.push(m.payload);
      return 'HTTP 200';
    }, z.object({ n: z.number() }));
    expect(await d.runOnce()).toBe(1);
    expect(seen).toEqual([{ n: 1 }]);
    expect(outcomes).toMatchObject([{ result: 'delivered', attempts: 1, detail: 'HTTP 200', eventId: 'test:study1:1' }]);
    const rows = await db.prisma.outboxMessage.findMany({ orderBy: { eventId: 'asc' } });
    expect(rows.map((r) => [r.kind, r.state, r.attempts, r.leaseOwner])).toEqual([
      ['test', 'delivered', 1, null],
      ['other', 'pending', 0, null],
    ]);
    expect(rows[0]!.deliveredAt).toBeInstanceOf(Date);
    expect(await d.runOnce()).toBe(0); // delivered rows are never sent again
  });

  it.skipIf(dbs.unavailable)('retries a failure after the backoff, fails for good after maxAttempts, and an admin retry makes it due again', async () => {
    const db = await fresh();
    await enqueueOutbox(db.prisma, msg(1));
    let calls = 0;
    const d = dispatcher(db, { maxAttempts: 2 });
    d.registerDeliverer('test', async () => {
      calls++;
      throw new Error('HTTP 503 Service Unavailable');
    });
    expect(await d.runOnce()).toBe(1);
    let row = await db.prisma.outboxMessage.findFirstOrThrow();
    expect(row).toMatchObject({ state: 'pending', attempts: 1, lastError: 'HTTP 503 Service Unavailable', leaseOwner: null });
    const wait = row.nextAttemptAt.getTime() - Date.now();
    expect(wait).toBeGreaterThan(300); // base 1 s, at least half of it
    expect(await d.runOnce()).toBe(0); // not due yet
    expect(await d.runOnce(later(2000))).toBe(1);
    row = await db.prisma.outboxMessage.findFirstOrThrow();
    expect(row).toMatchObject({ state: 'failed', attempts: 2 });
    expect(await d.runOnce(later(3_600_000))).toBe(0);
    expect(calls).toBe(2);

    expect(await outboxSummary(db.prisma)).toMatchObject({ backlog: 0, failed: 1, delivered: 0, lastError: { kind: 'test', error: 'HTTP 503 Service Unavailable' }, kinds: ['test'] });
    expect(await listOutbox(db.prisma, { state: 'failed', limit: 10 })).toMatchObject([{ state: 'failed', attempts: 2, nextAttemptAt: null, lastError: 'HTTP 503 Service Unavailable' }]);
    expect(await retryOutboxMessage(db.prisma, row.id)).toMatchObject({ previousState: 'failed', attempts: 2 });
    expect(await db.prisma.outboxMessage.findFirstOrThrow()).toMatchObject({ state: 'pending', attempts: 0 });
    expect(await d.runOnce(later(10))).toBe(1);
    expect(calls).toBe(3);
  });

  it.skipIf(dbs.unavailable)('fails at once on a permanent error or a payload that does not parse', async () => {
    const db = await fresh();
    await enqueueOutbox(db.prisma, msg(1));
    await enqueueOutbox(db.prisma, { ...msg(2), kind: 'strict', payload: { n: 'two' } });
    const d = dispatcher(db);
    d.registerDeliverer('test', async () => {
      throw new PermanentDeliveryError('HTTP 400 Bad Request');
    });
    d.registerDeliverer('strict', async () => undefined, z.object({ n: z.number() }));
    expect(await d.runOnce()).toBe(2);
    const rows = await db.prisma.outboxMessage.findMany({ orderBy: { eventId: 'asc' } });
    expect(rows.map((r) => [r.state, r.attempts])).toEqual([
      ['failed', 1],
      ['failed', 1],
    ]);
    expect(rows[0]!.lastError).toBe('HTTP 400 Bad Request');
    expect(rows[1]!.lastError).toMatch(/^OUTBOX_PAYLOAD_INVALID/);
    await expect(retryOutboxMessage(db.prisma, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it.skipIf(dbs.unavailable)('aborts a delivery at its timeout and retries it', async () => {
    const db = await fresh();
    await enqueueOutbox(db.prisma, msg(1));
    const d = dispatcher(db, { deliveryTimeoutMs: 100, leaseMs: 5000 });
    d.registerDeliverer('test', (_m, signal) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))));
    await d.runOnce();
    expect(await db.prisma.outboxMessage.findFirstOrThrow()).toMatchObject({ state: 'pending', lastError: 'timed out after 100 ms' });
  });

  it.skipIf(dbs.unavailable)('gives a row leased by a node that died back after the lease, and the dead node cannot record an outcome', async () => {
    const db = await fresh();
    await enqueueOutbox(db.prisma, msg(1));
    let release: () => void = () => {};
    const dead = dispatcher(db, { owner: 'dead', deliveryTimeoutMs: 10_000, leaseMs: 20_000 });
    dead.registerDeliverer('test', () => new Promise<void>((r) => (release = r)));
    const stuck = dead.runOnce();
    await expect.poll(async () => (await db.prisma.outboxMessage.findFirstOrThrow()).state).toBe('delivering');

    const alive = dispatcher(db, { owner: 'alive' });
    let delivered = 0;
    alive.registerDeliverer('test', async () => void delivered++);
    expect(await alive.runOnce()).toBe(0); // leased by "dead" and its lease still runs
    expect(await alive.runOnce(later(21_000))).toBe(1);
    expect(delivered).toBe(1);
    release(); // the "dead" node wakes up late: its outcome is not recorded over the new holder's
    await stuck;
    expect(await db.prisma.outboxMessage.findFirstOrThrow()).toMatchObject({ state: 'delivered', attempts: 2, leaseOwner: null });
  });

  it.skipIf(dbs.unavailable)('two dispatchers on one database never deliver the same row twice', async () => {
    const db = await fresh();
    const total = 40;
    for (let n = 0; n < total; n++) await enqueueOutbox(db.prisma, msg(n));
    const deliveries = new Map<string, number>();
    const make = (owner: string) => {
      const d = dispatcher(db, { owner, batchSize: 5 });
      d.registerDeliverer('test', async (m) => {
        deliveries.set(m.eventId, (deliveries.get(m.eventId) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 2));
      });
      return d;
    };
    const a = make('a');
    const b = make('b');
    // Both race for the same due rows, round after round, until none is left.
    for (let round = 0; round < 40; round++) {
      const [x, y] = await Promise.all([a.runOnce(), b.runOnce()]);
      if (x + y === 0) break;
    }
    expect(deliveries.size).toBe(total);
    expect([...deliveries.values()].every((c) => c === 1)).toBe(true);
    expect(await db.prisma.outboxMessage.count({ where: { state: 'delivered' } })).toBe(total);
  });

  it.skipIf(dbs.unavailable)('its loop delivers what was enqueued when woken, and stop waits for the delivery in flight', async () => {
    const db = await fresh();
    const d = dispatcher(db, { pollIntervalMs: 60_000 });
    let finished = 0;
    d.registerDeliverer('test', async () => {
      await new Promise((r) => setTimeout(r, 200));
      finished++;
    });
    d.start();
    await new Promise((r) => setTimeout(r, 100)); // the loop is now asleep for a minute
    await enqueueOutbox(db.prisma, msg(1));
    d.wake();
    await expect.poll(async () => (await db.prisma.outboxMessage.findFirstOrThrow()).state, { timeout: 20_000 }).toBe('delivering');
    await d.stop();
    expect(finished).toBe(1);
    expect(await db.prisma.outboxMessage.findFirstOrThrow()).toMatchObject({ state: 'delivered' });
  });
});
