import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/server/db';
import { allTestDatabases } from '@/test/support/test-databases';
import { readOperationsMetrics } from './read-operations-metrics';

const log = pino({ level: 'silent' });
const NOW = new Date('2026-11-23T12:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const MIN = 60_000;
const HOUR = 60 * MIN;

describe.each(allTestDatabases())('operations metrics on $provider', (dbs) => {
  let db: Database | undefined;

  beforeAll(async () => {
    if (!dbs.unavailable) await dbs.start();
  }, 60_000);
  afterAll(() => dbs.stop());
  beforeEach(async (ctx) => {
    if (dbs.unavailable) return ctx.skip();
    const target = await dbs.fresh();
    db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir, log });
  });
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  /** A study received `receivedAgo` ms before NOW, triaged `tttMs` after its last slice. */
  async function study(n: number, receivedAgo: number, result?: { outcome: 'flagged' | 'not_flagged' | 'not_analysable'; any: number | null; tttMs: number }) {
    const receivedAt = ago(receivedAgo);
    const lastSliceAt = new Date(receivedAt.getTime() + 10_000);
    return db!.prisma.study.create({
      data: {
        StudyInstanceUID: `1.2.3.${n}`,
        receivedAt,
        lastSliceAt,
        status: result ? 'triaged' : 'analysing',
        outcome: result?.outcome ?? null,
        flagged: result?.outcome === 'flagged',
        anyProbability: result?.any ?? null,
        triagedAt: result ? new Date(lastSliceAt.getTime() + result.tttMs) : null,
      },
    });
  }

  it('counts throughput, time to triage, queue, flag rate, scores, feedback and errors over the window', async () => {
    const prisma = db!.prisma;
    const a = await study(1, 10 * MIN, { outcome: 'flagged', any: 0.93, tttMs: 800 });
    await study(2, 20 * MIN, { outcome: 'not_flagged', any: 0.12, tttMs: 1_500 });
    await study(3, 30 * MIN, { outcome: 'not_flagged', any: 0.05, tttMs: 3_000 });
    await study(4, 40 * MIN, { outcome: 'not_analysable', any: null, tttMs: 12_000 });
    await study(5, 5 * MIN); // still analysing
    await study(6, 3 * HOUR, { outcome: 'flagged', any: 0.8, tttMs: 700 }); // outside 1 h, inside 24 h
    await study(7, 3 * 86_400_000, { outcome: 'flagged', any: 0.7, tttMs: 700 }); // only in 7 d

    await prisma.studyFeedback.create({ data: { studyId: a.id, verdict: 'agree', flagged: true, createdAt: ago(5 * MIN) } });
    await prisma.studyFeedback.create({ data: { studyId: a.id, verdict: 'disagree', comment: 'calcification', flagged: true, createdAt: ago(4 * MIN) } });
    await prisma.studyFeedback.create({ data: { studyId: a.id, verdict: 'disagree', comment: 'old', flagged: true, createdAt: ago(2 * HOUR) } });
    for (const [code, at] of [['DICOM_NOT_CT', 1], ['DICOM_NOT_CT', 2], ['DICOM_TRUNCATED', 3], ['DICOM_TRUNCATED', 120]] as const) {
      await prisma.quarantinedInput.create({ data: { source: 'c_store', storedPath: `q/${at}`, sha256: `${at}`, errorCode: code, message: 'm', receivedAt: ago(at * MIN) } });
    }
    await prisma.job.create({ data: { kind: 'analyse', payload: {} } });

    const hour = await readOperationsMetrics(prisma, '1h', NOW);
    expect(hour.totals).toEqual({ received: 5, triaged: 4, flagged: 1, notAnalysable: 1, studiesPerHour: 5 });
    expect(hour.flagRate).toBeCloseTo(1 / 3, 6); // not analysable is not a result
    expect(hour.timeToTriage.p50Ms).toBe(1_500);
    expect(hour.timeToTriage.p95Ms).toBe(12_000);
    expect(hour.timeToTriage.histogram.counts).toEqual([1, 1, 1, 0, 1, 0, 0, 0]);
    expect(hour.scoreHistogram.counts.reduce((x, y) => x + y, 0)).toBe(3);
    expect(hour.scoreHistogram.counts[9]).toBe(1); // 0.93
    expect(hour.scoreHistogram.counts[0]).toBe(1); // 0.05
    expect(hour.feedback).toEqual({ agree: 1, disagree: 1, disagreementRate: 0.5 });
    expect(hour.errors).toEqual({ quarantined: 3, quarantinedByCode: [{ code: 'DICOM_NOT_CT', count: 2 }, { code: 'DICOM_TRUNCATED', count: 1 }], sliceDecodeFailures: 0 });
    expect(hour.queue).toMatchObject({ analysing: 1, triaged: 6, jobsPending: 1, jobsRunning: 0 }); // the queue is now, not the window
    expect(hour.throughput.reduce((n, b) => n + b.received, 0)).toBe(5);

    const day = await readOperationsMetrics(prisma, '24h', NOW);
    expect(day.totals.received).toBe(6);
    expect(day.feedback.disagree).toBe(2);
    expect(day.throughput).toHaveLength(25); // hourly buckets, the current one included
    const week = await readOperationsMetrics(prisma, '7d', NOW);
    expect(week.totals.received).toBe(7);
  });

  it('divides rates by the time the data covers, not the nominal window, and alarms on a 100 % flag rate', async () => {
    // A server started 6 minutes ago: 11 studies, every one flagged.
    for (let i = 0; i < 11; i++) await study(100 + i, 6 * MIN - i * 30_000, { outcome: 'flagged', any: 0.9, tttMs: 900 });
    const day = await readOperationsMetrics(db!.prisma, '24h', NOW);
    expect(day.coveredFrom).toBe(ago(6 * MIN).toISOString());
    expect(day.totals.studiesPerHour).toBe(110); // 11 in 0.1 h, not 11 / 24 = 0.5
    expect(day.alarms.map((a) => a.kind)).toEqual(['flag_rate_high']);
    expect(day.alarms[0]!.message).toMatch(/^flag rate 100 % in the last 24 hours \(11 studies\): the model may be miscalibrated for this scanner/);
    const hour = await readOperationsMetrics(db!.prisma, '1h', NOW);
    expect(hour.totals.studiesPerHour).toBe(110);
    expect(hour.alarms[0]!.message).toMatch(/^flag rate 100 % in the last hour/);
  });

  it('covers the whole window once the data reaches back past it', async () => {
    await study(1, 30 * HOUR, { outcome: 'not_flagged', any: 0.1, tttMs: 900 });
    await study(2, 2 * HOUR, { outcome: 'not_flagged', any: 0.1, tttMs: 900 });
    const day = await readOperationsMetrics(db!.prisma, '24h', NOW);
    expect(day.coveredFrom).toBe(day.from);
    expect(day.totals.studiesPerHour).toBe(0); // 1 in 24 h rounds to 0.0
    expect(day.alarms).toEqual([]); // 1 study is too few to judge
  });

  it('reports nulls, not zeros, where there is nothing to divide', async () => {
    const empty = await readOperationsMetrics(db!.prisma, '24h', NOW);
    expect(empty.flagRate).toBeNull();
    expect(empty.feedback.disagreementRate).toBeNull();
    expect(empty.timeToTriage.p95Ms).toBeNull();
  });
});
