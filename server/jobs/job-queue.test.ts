import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/server/db';
import { allTestDatabases, memoryLog } from '@/test/support/test-databases';
import { enqueueJob } from './enqueue-job';
import { JobQueue } from './job-queue';
import { analyseJobKeyPrefix } from './job-kinds';

const input = (n: number) => ({ instanceId: `inst${n}`, studyId: 'study1', sha256: `sha${n}` });

describe.each(allTestDatabases())('the job queue on $provider', (dbs) => {
  const open: Database[] = [];
  async function fresh(): Promise<Database> {
    const target = await dbs.fresh();
    const db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir, log: memoryLog() });
    open.push(db);
    return db;
  }

  beforeAll(async () => {
    if (!dbs.unavailable) await dbs.start();
  }, 60_000);
  afterAll(async () => {
    for (const db of open) await db.close();
    await dbs.stop();
  });

  it.skipIf(dbs.unavailable)('queues a job once per input, keyed by study, and hands back its typed payload', async () => {
    const db = await fresh();
    await db.prisma.$transaction(async (tx) => {
      await enqueueJob(tx, 'analyse-instance', input(1));
      await enqueueJob(tx, 'analyse-instance', input(1));
    });
    const rows = await db.prisma.job.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.uniqueKey).toBe(`${analyseJobKeyPrefix('study1')}inst1:sha1`);
    const [job] = await new JobQueue(db.prisma, 'w1').claim('analyse-instance', 10);
    expect(job?.payload).toEqual({ instanceId: 'inst1' });
  });

  it.skipIf(dbs.unavailable)('lets only the lease holder complete or fail a job: a worker whose lease was taken over cannot', async () => {
    const db = await fresh();
    await enqueueJob(db.prisma, 'analyse-instance', input(1));
    const slow = new JobQueue(db.prisma, 'slow', 1);
    const [job] = await slow.claim('analyse-instance', 1);
    expect(job).toBeDefined();
    // The slow worker's lease runs out; another worker takes the job over.
    const later = new Date(Date.now() + 1000);
    const other = new JobQueue(db.prisma, 'other');
    const [again] = await other.claim('analyse-instance', 1, later);
    expect(again?.id).toBe(job!.id);

    expect(await slow.complete(job!.id)).toBe(false);
    expect(await slow.fail(job!, 'late error')).toBe('lost');
    expect(await db.prisma.job.findUniqueOrThrow({ where: { id: job!.id } })).toMatchObject({ status: 'leased', leaseOwner: 'other', lastError: null });

    expect(await other.complete(again!.id)).toBe(true);
    expect(await db.prisma.job.findUniqueOrThrow({ where: { id: job!.id } })).toMatchObject({ status: 'done', leaseOwner: null });
    expect(await other.complete(again!.id)).toBe(false); // done already: not leased any more
  });

  it.skipIf(dbs.unavailable)('prunes done jobs past their retention and keeps recent, pending and failed ones', async () => {
    const db = await fresh();
    for (let n = 1; n <= 4; n++) await enqueueJob(db.prisma, 'analyse-instance', input(n));
    const queue = new JobQueue(db.prisma, 'w1');
    const jobs = await queue.claim('analyse-instance', 3);
    expect(jobs).toHaveLength(3);
    await queue.complete(jobs[0]!.id);
    await queue.complete(jobs[1]!.id);
    await queue.fail({ ...jobs[2]!, attempts: jobs[2]!.maxAttempts }, 'gave up');
    const old = new Date(Date.now() - 20 * 60_000);
    await db.prisma.job.update({ where: { id: jobs[0]!.id }, data: { finishedAt: old } });
    await db.prisma.job.update({ where: { id: jobs[2]!.id }, data: { finishedAt: old } });

    expect(await queue.pruneDone(new Date(Date.now() - 10 * 60_000))).toBe(1);
    const left = await db.prisma.job.findMany({ select: { id: true, status: true }, orderBy: { id: 'asc' } });
    expect(left.map((j) => j.status).sort()).toEqual(['done', 'failed', 'pending']);
    expect(left.some((j) => j.id === jobs[0]!.id)).toBe(false);
  });

  it.skipIf(dbs.unavailable)('fails a job whose payload does not parse for good, instead of handing it out', async () => {
    const db = await fresh();
    await db.prisma.job.create({ data: { kind: 'analyse-instance', uniqueKey: 'bad', payload: { instance: 42 } } });
    expect(await new JobQueue(db.prisma, 'w1').claim('analyse-instance', 5)).toEqual([]);
    const row = await db.prisma.job.findUniqueOrThrow({ where: { uniqueKey: 'bad' } });
    expect(row.status).toBe('failed');
    expect(row.lastError).toMatch(/^JOB_PAYLOAD_INVALID/);
  });
});
