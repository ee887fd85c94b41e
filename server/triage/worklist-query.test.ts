import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '@/server/audit';
import { openDatabase, type Database, type DbClient, type Prisma } from '@/server/db';
import { allTestDatabases, memoryLog } from '@/test/support/test-databases';
import { performStudyAction, type StudyActor } from './study-actions';
import { readWorklist, readWorklistItem } from './worklist-query';

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
    const counting = new Proxy(prisma, {
      get: (target, key) =>
        key === 'study'
          ? new Proxy(target.study, { get: (study, k) => (k === 'count' ? (...a: unknown[]) => (counts++, (study.count as (...x: unknown[]) => unknown)(...a)) : Reflect.get(study, k)) })
          : Reflect.get(target, key),
    }) as DbClient;

    const pushed = await readWorklistItem(counting, second.id, { rank: false });

    expect(counts).toBe(0);
    expect(withRank!.rank).toBe(2);
    expect(pushed).toEqual({ ...withRank, rank: 0 });
    // With the rank asked for (the API), the count runs and the rank is the list's.
    expect((await readWorklistItem(counting, second.id))!.rank).toBe(2);
    expect(counts).toBeGreaterThan(0);
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
});
