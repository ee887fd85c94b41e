import { sqltag } from '@prisma/client/runtime/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '@/server/audit';
import { openDatabase, WORKLIST_ACTIVE_STATUSES, WORKLIST_ORDER_BY, type Database, type DbClient, type Prisma } from '@/server/db';
import { allTestDatabases, memoryLog } from '@/test/support/test-databases';
import { performStudyAction, type StudyActor } from './study-actions';
import { readWorklist, readWorklistItem, rankStatement } from './worklist-query';

let uidCounter = 0;

/** A triaged, unflagged study (tier 2) unless `data` says otherwise. */
async function createStudy(prisma: DbClient, data: Partial<Prisma.StudyCreateInput> = {}): Promise<{ id: string; uid: string }> {
  const uid = `1.2.826.0.1.3680043.8.498.66.${++uidCounter}`;
  const s = await prisma.study.create({
    data: { StudyInstanceUID: uid, status: 'triaged', outcome: 'not_flagged', anyProbability: 0.1, priorityTier: 2, PatientName: 'DOE^JANE', PatientID: 'MRN0004821', ...data },
  });
  return { id: s.id, uid };
}

describe.each(allTestDatabases())('worklist rows on $provider', (dbs) => {
  let db: Database;
  let prisma: DbClient;
  let audit: AuditLog;
  let ana: StudyActor;
  let ben: StudyActor;

  beforeAll(async () => {
    if (dbs.unavailable) return;
    await dbs.start();
    const t = await dbs.fresh();
    db = await openDatabase({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, log: memoryLog() });
    prisma = db.prisma;
    audit = new AuditLog(prisma, db.provider);
    const user = (username: string) => prisma.user.create({ data: { username, role: 'clinician', passwordHash: 'x', mustChangePassword: false } });
    ana = { userId: (await user('ana')).id, username: 'ana', ip: '10.1.2.3' };
    ben = { userId: (await user('ben')).id, username: 'ben', ip: '10.1.2.4' };
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await dbs.stop();
  });

  it.skipIf(dbs.unavailable)('says "possibly incomplete" on a study triaged from part of the head, until a late slice re-opens it', async () => {
    const partial = await createStudy(prisma, { possiblyIncomplete: true });
    const reopened = await createStudy(prisma, { possiblyIncomplete: true, status: 'receiving' });
    const whole = await createStudy(prisma);

    const rows = new Map((await readWorklist(prisma)).map((r) => [r.studyInstanceUid, r.possiblyIncomplete]));

    expect([rows.get(partial.uid), rows.get(reopened.uid), rows.get(whole.uid)]).toEqual([true, false, false]);
    expect((await readWorklistItem(prisma, partial.id))?.possiblyIncomplete).toBe(true);
    // The other tests read the whole worklist of this shared database.
    await prisma.study.deleteMany({ where: { id: { in: [partial.id, reopened.id, whole.id] } } });
  });

  it.skipIf(dbs.unavailable)('the realtime row skips the rank count (the dashboard re-ranks pushed rows) and is otherwise the API row', async () => {
    const first = await createStudy(prisma, { anyProbability: 0.9 });
    const second = await createStudy(prisma, { anyProbability: 0.8 });
    const withRank = await readWorklistItem(prisma, second.id);
    let counts = 0;
    // The rank is the one raw statement of this read (rankStatement): count those.
    const counting = new Proxy(prisma, {
      get: (target, key) => (key === '$queryRaw' ? (...a: unknown[]) => (counts++, (target.$queryRaw as (...x: unknown[]) => unknown).apply(target, a)) : Reflect.get(target, key)),
    }) as DbClient;

    const pushed = await readWorklistItem(counting, second.id, { rank: false });

    expect(counts).toBe(0);
    expect(withRank!.rank).toBe(2);
    expect(pushed).toEqual({ ...withRank, rank: 0 });
    // With the rank asked for (the API), the count runs and the rank is the list's.
    expect((await readWorklistItem(counting, second.id))!.rank).toBe(2);
    expect(counts).toBe(1);
    await prisma.study.deleteMany({ where: { id: { in: [first.id, second.id] } } });
  });

  it.skipIf(dbs.unavailable)('carries the open assignee and the escalation, on the page and on one row alike', async () => {
    const plain = await createStudy(prisma, { anyProbability: 0.05 });
    const taken = await createStudy(prisma, { anyProbability: 0.3 });
    const escalated = await createStudy(prisma, { anyProbability: 0.2 });

    const before = await readWorklist(prisma);
    expect(before.map((r) => [r.studyInstanceUid, r.assignee, r.escalated])).toEqual([
      [taken.uid, null, false],
      [escalated.uid, null, false],
      [plain.uid, null, false],
    ]);

    // Ana takes it, then Ben takes it over: only Ben's assignment is still open.
    await performStudyAction(audit, taken.uid, { action: 'assign_to_me' }, ana);
    expect((await readWorklistItem(prisma, taken.id))?.assignee).toBe('ana');
    await performStudyAction(audit, taken.uid, { action: 'assign_to_me' }, ben);
    // Escalation moves it to the flagged tier, so it now leads the list.
    await performStudyAction(audit, escalated.uid, { action: 'escalate' }, ana);

    const after = await readWorklist(prisma);
    expect(after.map((r) => [r.rank, r.studyInstanceUid, r.assignee, r.escalated])).toEqual([
      [1, escalated.uid, null, true],
      [2, taken.uid, 'ben', false],
      [3, plain.uid, null, false],
    ]);
    expect(await readWorklistItem(prisma, taken.id)).toEqual(after[1]);
    expect(await readWorklistItem(prisma, escalated.id)).toEqual(after[0]);
    // The row still carries no identifier: the masked display only.
    expect(JSON.stringify(after)).not.toMatch(/DOE|JANE|MRN0004821/);
    expect(after[0]!.patient).toBe('J.D. …4821');
  });

  it.skipIf(dbs.unavailable)('a released assignment leaves the study unassigned', async () => {
    const s = await createStudy(prisma);
    await prisma.assignment.create({ data: { studyId: s.id, userId: ana.userId!, releasedAt: new Date() } });
    expect(await readWorklistItem(prisma, s.id)).toMatchObject({ assignee: null, escalated: false });
  });

  it.skipIf(dbs.unavailable)('counts a slice analysed once, by the model that scored the study, after a model upgrade re-analysed it', async () => {
    const s = await createStudy(prisma, { modelName: 'ich-cnn', modelVersion: '2.0.0' });
    const series = await prisma.series.create({ data: { SeriesInstanceUID: `${s.uid}.1`, studyId: s.id } });
    for (let i = 0; i < 3; i++) {
      const inst = await prisma.instance.create({
        data: { SOPInstanceUID: `${s.uid}.1.${i}`, seriesId: series.id, studyId: s.id, storedPath: `x/${i}`, sizeBytes: 1, sha256: `${i}`, decodeStatus: 'decoded' },
      });
      const p = { studyId: s.id, instanceId: inst.id, anyProbability: 0.1, epiduralProbability: 0, intraparenchymalProbability: 0, intraventricularProbability: 0, subarachnoidProbability: 0, subduralProbability: 0 };
      await prisma.slicePrediction.create({ data: { ...p, modelVersion: 'ich-cnn@1.0.0' } });
      if (i < 2) await prisma.slicePrediction.create({ data: { ...p, modelVersion: 'ich-cnn@2.0.0' } });
    }
    expect((await readWorklistItem(prisma, s.id))!.slices).toEqual({ received: 3, analysed: 2, failed: 0 });
    // Before a model is recorded on the study: the most any one model produced, never the sum.
    await prisma.study.update({ where: { id: s.id }, data: { modelName: null, modelVersion: null } });
    expect((await readWorklistItem(prisma, s.id))!.slices).toEqual({ received: 3, analysed: 3, failed: 0 });
  });

  /** A database of its own, so the ranks are exactly these studies' (the tests above share theirs). */
  async function withOwnDatabase(body: (prisma: DbClient) => Promise<void>) {
    const t = await dbs.fresh();
    const own = await openDatabase({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, log: memoryLog() });
    try {
      await body(own.prisma);
    } finally {
      await own.close();
    }
  }

  const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 8, 0, s));

  it.skipIf(dbs.unavailable)('gives each study the rank the list shows: escalated, flagged, aged and ranked tiers, equal and missing scores, arrival and id ties, every active status', async () => {
    await withOwnDatabase(async (prisma) => {
      // In the order the list must show them; the ids are chosen so the last tie-break is visible.
      const expected: [string, Partial<Prisma.StudyCreateInput>][] = [
        // Escalated (tier -1) beats everything, unscored and still arriving or not.
        ['rank-a', { status: 'receiving', outcome: null, anyProbability: null, priorityTier: -1, escalatedAt: at(0), receivedAt: at(9) }],
        ['rank-b', { outcome: 'flagged', flagged: true, anyProbability: 0.9, priorityTier: 0, receivedAt: at(1) }],
        // An exact tie of tier, score and arrival (one in review): the id decides.
        ['rank-c', { outcome: 'flagged', flagged: true, anyProbability: 0.9, priorityTier: 0, receivedAt: at(2) }],
        ['rank-d', { status: 'in_review', outcome: 'flagged', flagged: true, anyProbability: 0.9, priorityTier: 0, receivedAt: at(2) }],
        // A lower score sorts later even when it arrived first.
        ['rank-e', { outcome: 'flagged', flagged: true, anyProbability: 0.6, priorityTier: 0, receivedAt: at(0) }],
        // Needs eyes (tier 1): waited past the aging limit (scored), then not analysable (unscored, earlier).
        ['rank-f', { anyProbability: 0.2, priorityTier: 1, receivedAt: at(5) }],
        ['rank-g', { outcome: 'not_analysable', anyProbability: null, notAnalysableReason: 'SERIES_NOT_AXIAL', priorityTier: 1, receivedAt: at(0) }],
        // Ranked (tier 2): a receiving study ties a triaged one exactly (status is no sort key).
        ['rank-h', { anyProbability: 0.5, receivedAt: at(3) }],
        ['rank-i', { status: 'receiving', outcome: null, anyProbability: 0.5, receivedAt: at(3) }],
        ['rank-j', { status: 'analysing', outcome: null, anyProbability: 0.5, receivedAt: at(4) }],
        // A score of 0 is a score: before the unscored ones.
        ['rank-k', { anyProbability: 0, receivedAt: at(8) }],
        // Unscored: by arrival, then (an exact tie) by id.
        ['rank-l', { status: 'receiving', outcome: null, anyProbability: null, receivedAt: at(1) }],
        ['rank-m', { status: 'receiving', outcome: null, anyProbability: null, receivedAt: at(2) }],
        ['rank-n', { status: 'receiving', outcome: null, anyProbability: null, receivedAt: at(2) }],
      ];
      // Closed: no rank, and never counted ahead of an open one, even with a tier and score that would be.
      const closed: [string, Partial<Prisma.StudyCreateInput>][] = [
        ['rank-x', { status: 'reported', outcome: 'flagged', flagged: true, anyProbability: 0.99, priorityTier: 3, receivedAt: at(0) }],
        ['rank-y', { status: 'dismissed', anyProbability: 0.95, priorityTier: 0, receivedAt: at(0) }],
        ['rank-z', { status: 'dismissed', anyProbability: null, priorityTier: 2, receivedAt: at(0) }],
      ];
      // Inserted in reverse, so neither insertion order nor the id alone explains the ranks.
      for (const [id, data] of [...expected, ...closed].reverse()) await createStudy(prisma, { id, ...data });

      const list = await readWorklist(prisma, 200, 'active');
      expect(list.map((r) => [r.rank, r.studyInstanceUid])).toEqual(
        await Promise.all(expected.map(async ([id], i) => [i + 1, (await prisma.study.findUniqueOrThrow({ where: { id } })).StudyInstanceUID])),
      );
      for (const [i, [id]] of expected.entries()) expect([id, (await readWorklistItem(prisma, id))!.rank]).toEqual([id, i + 1]);
      for (const [id] of closed) expect([id, (await readWorklistItem(prisma, id))!.rank]).toEqual([id, 0]);
      expect(await readWorklistItem(prisma, 'no-such-study')).toBeUndefined();

      // Re-opening a closed study gives it its place; closing one moves the ones behind it up.
      await prisma.study.update({ where: { id: 'rank-y' }, data: { status: 'in_review' } });
      expect((await readWorklistItem(prisma, 'rank-y'))!.rank).toBe(2); // tier 0, 0.95: after the escalated one
      expect((await readWorklistItem(prisma, 'rank-n'))!.rank).toBe(expected.length + 1);
      await prisma.study.update({ where: { id: 'rank-b' }, data: { status: 'reported' } });
      expect((await readWorklistItem(prisma, 'rank-b'))!.rank).toBe(0);
      expect((await readWorklistItem(prisma, 'rank-n'))!.rank).toBe(expected.length);
    });
  });

  it.skipIf(dbs.unavailable)('ranks every study of a crowded list of ties (few tiers, scores and arrival times) where the list shows it', async () => {
    await withOwnDatabase(async (prisma) => {
      let seed = 7;
      const pick = <T>(xs: readonly T[]): T => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return xs[seed % xs.length]!;
      };
      const statuses = ['receiving', 'analysing', 'triaged', 'in_review', 'reported', 'dismissed'] as const;
      await prisma.study.createMany({
        data: Array.from({ length: 150 }, (_, n) => ({
          StudyInstanceUID: `1.2.826.0.1.3680043.8.498.67.${n}`,
          status: pick(statuses),
          priorityTier: pick([-1, 0, 1, 2, 2, 2, 3]),
          anyProbability: pick([null, 0, 0.25, 0.5, 0.5, 0.9]),
          receivedAt: at(pick([0, 1, 2])),
        })),
      });
      const list = await readWorklist(prisma, 200, 'active');
      expect(list.map((r) => r.rank)).toEqual(list.map((_, i) => i + 1));
      const rankOf = new Map(list.map((r) => [r.studyInstanceUid, r.rank]));
      // Closed ones (whatever tier they were left with) have none, and are not counted ahead of the rest.
      for (const s of await prisma.study.findMany({ select: { id: true, StudyInstanceUID: true } })) {
        expect([s.StudyInstanceUID, (await readWorklistItem(prisma, s.id))!.rank]).toEqual([s.StudyInstanceUID, rankOf.get(s.StudyInstanceUID) ?? 0]);
      }
    });
  }, 60_000);

  it.skipIf(dbs.unavailable)('counts the rank off the worklist index: no full scan of the studies, whatever the tier', async () => {
    await withOwnDatabase(async (prisma) => {
      // Enough rows that a scan and an index range cost differently (and, on PostgreSQL, statistics).
      await prisma.study.createMany({
        data: Array.from({ length: 3000 }, (_, n) => ({
          StudyInstanceUID: `1.2.826.0.1.3680043.8.498.69.${n}`,
          status: n % 5 === 0 ? ('reported' as const) : ('triaged' as const),
          priorityTier: n % 5 === 0 ? 3 : [0, 1, 2, 2, 2, 2][n % 6]!,
          anyProbability: n % 17 === 0 ? null : (n % 1000) / 1000,
          receivedAt: at(n % 3600),
        })),
      });
      if (db.provider === 'postgresql') await prisma.$executeRawUnsafe('ANALYZE "Study"');
      const probes = await prisma.study.findMany({ where: { status: 'triaged', anyProbability: null, priorityTier: 2 }, take: 1 });
      probes.push(...(await prisma.study.findMany({ where: { status: 'triaged', priorityTier: { in: [0, 1, 2] } }, orderBy: { id: 'asc' }, take: 3 })));
      for (const probe of probes) {
        const plan =
          db.provider === 'postgresql'
            ? (await prisma.$queryRaw<{ 'QUERY PLAN': string }[]>(sqltag`EXPLAIN ${rankStatement(probe.id)}`)).map((r) => r['QUERY PLAN'])
            : (await prisma.$queryRaw<{ detail: string }[]>(sqltag`EXPLAIN QUERY PLAN ${rankStatement(probe.id)}`)).map((r) => r.detail);
        const text = plan.join('\n');
        expect(text).not.toMatch(db.provider === 'postgresql' ? /Seq Scan/ : /^SCAN s\b/m);
        expect(text.match(/Study_priorityTier_anyProbability_receivedAt_id_status_idx/g)).toHaveLength(5);
        const order = await prisma.study.findMany({ where: { status: { in: [...WORKLIST_ACTIVE_STATUSES] } }, orderBy: [...WORKLIST_ORDER_BY], select: { id: true } });
        const listed = order.findIndex((r) => r.id === probe.id) + 1;
        expect((await readWorklistItem(prisma, probe.id))!.rank).toBe(listed);
      }
    });
  }, 120_000);
});
