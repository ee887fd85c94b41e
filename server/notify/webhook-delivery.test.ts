import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type DbClient } from '@/server/db';
import { OutboxDispatcher } from '@/server/outbox';
import type { DecidedStudy } from '@/server/triage/finalise-study';
import { startTestReceiver } from '@/test/support/http-receiver';
import { allTestDatabases, memoryLog, type TestDatabase } from '@/test/support/test-databases';
import { DEFAULT_NOTIFY_SETTINGS, type NotifySettings } from './notify-env';
import { notifyAfterDecision } from './notify-after-decision';
import { registerNotifiers } from './register-notifiers';
import { verifyWebhookSignature } from './sign-webhook';
import { triageEventSchema } from './triage-event';

const log = pino({ level: 'silent' });
const SECRET = 'a-webhook-secret-of-32-characters!';
const PUBLIC = new URL('https://triage.example.org');
const later = (ms: number) => new Date(Date.now() + ms);

const decision = JSON.stringify({ threshold: 0.2248, targetSensitivity: 0.95, source: 'manifest', subtypeThresholds: { epidural: 0.3 } });

async function decidedStudy(prisma: DbClient, n: number, flagged = true): Promise<DecidedStudy> {
  const decidedAt = new Date(Date.UTC(2026, 11, 2, 3, 0, n));
  const s = await prisma.study.create({
    data: {
      StudyInstanceUID: `1.2.826.0.1.3680043.10.${n}`,
      PatientID: 'PID-7731',
      PatientName: 'Doe^Jane',
      PatientBirthDate: '19520304',
      AccessionNumber: 'ACC-991',
      status: 'triaged',
      outcome: flagged ? 'flagged' : 'not_flagged',
      flagged,
      anyProbability: flagged ? 0.81 : 0.05,
      epiduralProbability: 0.42,
      epiduralFlagged: flagged,
      decisionPoint: decision,
      modelName: 'ich-resnet',
      modelVersion: '1.0.0',
      triagedAt: decidedAt,
    },
  });
  return { studyId: s.id, studyInstanceUid: s.StudyInstanceUID, outcome: flagged ? 'flagged' : 'not_flagged', flagged, reason: 'series 2 chosen', decidedAt, statusKept: false };
}

describe.each(allTestDatabases())('webhook alerts to a real HTTP receiver on $provider', (dbs) => {
  const open: Database[] = [];
  let target: TestDatabase;
  async function fresh(): Promise<Database> {
    target = await dbs.fresh();
    return reopen();
  }
  async function reopen(): Promise<Database> {
    const db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir, log: memoryLog() });
    open.push(db);
    return db;
  }
  const settingsFor = (url: URL, o: Partial<NotifySettings> = {}): NotifySettings => ({ ...DEFAULT_NOTIFY_SETTINGS, webhook: { url, secret: SECRET, events: 'flagged' }, ...o });
  function dispatcherFor(db: Database, settings: NotifySettings, owner?: string) {
    const d = new OutboxDispatcher({ prisma: db.prisma, log, retry: { baseMs: 1000, capMs: 60_000 }, ...(owner ? { owner } : {}) });
    registerNotifiers(d, settings);
    return d;
  }
  async function decide(db: Database, settings: NotifySettings, decided: DecidedStudy) {
    const hook = notifyAfterDecision(settings, PUBLIC)!;
    await db.prisma.$transaction(async (tx) => hook(tx, decided));
  }

  beforeAll(async () => {
    if (!dbs.unavailable) await dbs.start();
  }, 60_000);
  afterAll(async () => {
    for (const db of open) await db.close().catch(() => undefined);
    await dbs.stop();
  });

  it.skipIf(dbs.unavailable)('signs the raw body, names the event, links the study, and sends no patient identifiers by default', async () => {
    const receiver = await startTestReceiver();
    try {
      const db = await fresh();
      const settings = settingsFor(receiver.url);
      await decide(db, settings, await decidedStudy(db.prisma, 1));
      expect(await dispatcherFor(db, settings).runOnce()).toBe(1);
      expect(receiver.received).toHaveLength(1);
      const [req] = receiver.received;
      expect(req!.method).toBe('POST');
      expect(req!.path).toBe('/hooks/ich');
      expect(req!.headers['content-type']).toBe('application/json');
      expect(verifyWebhookSignature(SECRET, req!.body, req!.headers['x-ich-signature'] as string)).toBe(true);
      expect(verifyWebhookSignature('another-secret-of-enough-length', req!.body, req!.headers['x-ich-signature'] as string)).toBe(false);
      expect(Math.abs(Number(req!.headers['x-ich-timestamp']) - Date.now() / 1000)).toBeLessThan(120);
      const event = triageEventSchema.parse(JSON.parse(req!.body.toString('utf8')));
      expect(req!.headers['x-ich-event-id']).toBe(event.eventId);
      expect(event).toMatchObject({
        type: 'study.flagged',
        study: { studyInstanceUid: '1.2.826.0.1.3680043.10.1', url: 'https://triage.example.org/studies/1.2.826.0.1.3680043.10.1' },
        result: { outcome: 'flagged', probability: 0.81, operatingPoint: { threshold: 0.2248, source: 'manifest', targetSensitivity: 0.95 }, suspectedSubtypes: [{ label: 'epidural', abbreviation: 'EDH', probability: 0.42 }] },
        model: { name: 'ich-resnet', version: '1.0.0' },
      });
      expect(event.result.reason).toMatch(/^any 0\.81 ≥ 0\.22/);
      const raw = req!.body.toString('utf8');
      for (const phi of ['Doe^Jane', 'PID-7731', '19520304', 'ACC-991']) expect(raw).not.toContain(phi);
      expect(await db.prisma.outboxMessage.findFirstOrThrow()).toMatchObject({ state: 'delivered', attempts: 1, lastError: null });
    } finally {
      await receiver.close();
    }
  });

  it.skipIf(dbs.unavailable)('includes patient identifiers and the accession number only when NOTIFY_INCLUDE_PHI is on; announces unflagged studies only with events=triaged', async () => {
    const receiver = await startTestReceiver();
    try {
      const db = await fresh();
      const flaggedOnly = settingsFor(receiver.url, { includePhi: true });
      await decide(db, flaggedOnly, await decidedStudy(db.prisma, 1));
      await decide(db, flaggedOnly, await decidedStudy(db.prisma, 2, false)); // not flagged: not announced
      const every = settingsFor(receiver.url, { webhook: { url: receiver.url, secret: SECRET, events: 'triaged' } });
      await decide(db, every, await decidedStudy(db.prisma, 3, false));
      await dispatcherFor(db, flaggedOnly).runOnce();
      const events = receiver.received.map((r) => triageEventSchema.parse(JSON.parse(r.body.toString('utf8'))));
      expect(events.map((e) => [e.study.studyInstanceUid.split('.').pop(), e.type])).toEqual([
        ['1', 'study.flagged'],
        ['3', 'study.triaged'],
      ]);
      expect(events[0]!.study).toMatchObject({ accessionNumber: 'ACC-991', patient: { id: 'PID-7731', name: 'Doe^Jane', birthDate: '19520304' } });
      expect(events[1]!.study.patient).toBeUndefined();
      expect(events[1]!.result.suspectedSubtypes).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it.skipIf(dbs.unavailable)('keeps one message per decision (stable eventId), retries after a 500 with the same event and body, then delivers', async () => {
    const receiver = await startTestReceiver((_r, n) => (n === 1 ? 500 : 200));
    try {
      const db = await fresh();
      const settings = settingsFor(receiver.url);
      const decided = await decidedStudy(db.prisma, 1);
      await decide(db, settings, decided);
      await decide(db, settings, decided); // the same decision again (e.g. a hook run twice): still one message
      expect(await db.prisma.outboxMessage.count()).toBe(1);
      const d = dispatcherFor(db, settings);
      await d.runOnce();
      const row = await db.prisma.outboxMessage.findFirstOrThrow();
      expect(row).toMatchObject({ state: 'pending', attempts: 1 });
      expect(row.lastError).toMatch(/HTTP 500/);
      expect(await d.runOnce()).toBe(0); // backoff: not yet
      await d.runOnce(later(5000));
      expect(await db.prisma.outboxMessage.findFirstOrThrow()).toMatchObject({ state: 'delivered', attempts: 2, lastError: null });
      expect(receiver.received).toHaveLength(2);
      const [a, b] = receiver.received;
      expect(a!.headers['x-ich-event-id']).toBe(b!.headers['x-ich-event-id']);
      expect(a!.body.equals(b!.body)).toBe(true);
      expect(b!.headers['x-ich-delivery-attempt']).toBe('2');
    } finally {
      await receiver.close();
    }
  });

  it.skipIf(dbs.unavailable)('fails for good on a 400 with the status in lastError, and retries a 429', async () => {
    const receiver = await startTestReceiver((r) => (JSON.parse(r.body.toString('utf8')).study.studyInstanceUid.endsWith('.1') ? 400 : 429));
    try {
      const db = await fresh();
      const settings = settingsFor(receiver.url);
      await decide(db, settings, await decidedStudy(db.prisma, 1));
      await decide(db, settings, await decidedStudy(db.prisma, 2));
      await dispatcherFor(db, settings).runOnce();
      const rows = await db.prisma.outboxMessage.findMany({ orderBy: { studyInstanceUid: 'asc' } });
      expect(rows.map((r) => [r.state, r.lastError])).toEqual([
        ['failed', 'the webhook receiver answered HTTP 400 Bad Request'],
        ['pending', 'the webhook receiver answered HTTP 429 Too Many Requests'],
      ]);
    } finally {
      await receiver.close();
    }
  });

  it.skipIf(dbs.unavailable)('names why a receiver could not be reached (connection refused) in lastError, and retries', async () => {
    const receiver = await startTestReceiver();
    const url = receiver.url;
    await receiver.close(); // nothing listens there any more
    const db = await fresh();
    const settings = settingsFor(url);
    await decide(db, settings, await decidedStudy(db.prisma, 1));
    await dispatcherFor(db, settings).runOnce();
    expect(await db.prisma.outboxMessage.findFirstOrThrow()).toMatchObject({ state: 'pending', attempts: 1, lastError: 'the webhook receiver could not be reached: ECONNREFUSED' });
  });

  it.skipIf(dbs.unavailable)('delivers after a restart: the message queued before the database was closed is sent by a new dispatcher on the re-opened database', async () => {
    const receiver = await startTestReceiver();
    try {
      const first = await fresh();
      const settings = settingsFor(receiver.url);
      await decide(first, settings, await decidedStudy(first.prisma, 1));
      // Leased by a node that then dies mid-delivery (its receiver never answered, its outcome never written).
      await first.prisma.outboxMessage.updateMany({ data: { state: 'delivering', leaseOwner: 'dead-node', leaseUntil: new Date(Date.now() + 500), attempts: 1 } });
      await first.close();
      const second = await reopen();
      const d = dispatcherFor(second, settings);
      expect(await d.runOnce()).toBe(0); // the dead node's lease still runs
      await expect.poll(() => d.runOnce(), { timeout: 10_000, interval: 200 }).toBe(1);
      expect(receiver.received).toHaveLength(1);
      expect(await second.prisma.outboxMessage.findFirstOrThrow()).toMatchObject({ state: 'delivered', attempts: 2, leaseOwner: null });
    } finally {
      await receiver.close();
    }
  });

  it.skipIf(dbs.unavailable)('two dispatchers sharing the database deliver each of 20 events exactly once', async () => {
    const receiver = await startTestReceiver();
    try {
      const db = await fresh();
      const settings = settingsFor(receiver.url);
      for (let n = 1; n <= 20; n++) await decide(db, settings, await decidedStudy(db.prisma, n));
      const a = dispatcherFor(db, settings, 'a');
      const b = dispatcherFor(db, settings, 'b');
      a.start();
      b.start();
      await expect.poll(() => db.prisma.outboxMessage.count({ where: { state: 'delivered' } }), { timeout: 30_000 }).toBe(20);
      await Promise.all([a.stop(), b.stop()]);
      const ids = receiver.received.map((r) => r.headers['x-ich-event-id']);
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
    } finally {
      await receiver.close();
    }
  });
});
