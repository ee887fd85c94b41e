import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { AuditLog, sha256Text, verifyAuditChain } from '@/server/audit';
import { openDatabase, type Database, type DbClient, type Prisma } from '@/server/db';
import { allTestDatabases, memoryLog } from '@/test/support/test-databases';
import { PRIORITY_TIERS } from './priority';
import { performStudyAction, type StudyActor } from './study-actions';

/** The tier the database keeps an escalated open study in (trigger of migration study_decision_points). */
const ESCALATED_TIER = -1;
let uidCounter = 0;

async function createStudy(prisma: DbClient, data: Partial<Prisma.StudyCreateInput> = {}): Promise<{ id: string; uid: string }> {
  const uid = `1.2.826.0.1.3680043.8.498.8.${++uidCounter}`;
  const s = await prisma.study.create({
    data: { StudyInstanceUID: uid, status: 'triaged', outcome: 'flagged', flagged: true, anyProbability: 0.9, priorityTier: PRIORITY_TIERS.flagged, modelName: 'm', modelVersion: '1', ...data },
  });
  return { id: s.id, uid };
}

/** The AppError message a promise rejects with. */
async function refusal(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'resolved',
    (e: unknown) => (isAppError(e) ? `${e.code}: ${e.message}` : String(e)),
  );
}

describe.each(allTestDatabases())('reopen and undo on $provider', (dbs) => {
  let db: Database;
  let prisma: DbClient;
  let audit: AuditLog;
  let ana: StudyActor;
  let ben: StudyActor;
  const study = (id: string) => prisma.study.findUniqueOrThrow({ where: { id } });

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

  it.skipIf(dbs.unavailable)('reopens a reported or dismissed study into review, in its triage tier, with the reason beside the journal', async () => {
    const s = await createStudy(prisma);
    await performStudyAction(audit, s.uid, { action: 'mark_reported' }, ana);
    expect(await study(s.id)).toMatchObject({ status: 'reported', priorityTier: PRIORITY_TIERS.closed });
    expect(await refusal(performStudyAction(audit, s.uid, { action: 'reopen' }, ben))).toBe('VALIDATION_FAILED: a reason is required');
    const { result } = await performStudyAction(audit, s.uid, { action: 'reopen', reason: 'Addendum: new clinical question' }, ben);
    expect(result).toMatchObject({ action: 'reopen', status: 'in_review' });
    expect(await study(s.id)).toMatchObject({ status: 'in_review', priorityTier: PRIORITY_TIERS.flagged });
    const change = await prisma.statusChange.findFirstOrThrow({ where: { studyId: s.id, to: 'in_review' } });
    expect(change).toMatchObject({ from: 'reported', byUserId: ben.userId, reason: 'Addendum: new clinical question' });
    const entry = await prisma.auditEvent.findUniqueOrThrow({ where: { seq: result.auditSeq } });
    expect(entry.action).toBe('study.reopened');
    expect(JSON.parse(entry.details)).toEqual({ from: 'reported', to: 'in_review', statusChangeId: change.id, reasonSha256: sha256Text('Addendum: new clinical question') });
    expect(entry.details).not.toContain('Addendum');
    // Only closed studies reopen.
    expect(await refusal(performStudyAction(audit, s.uid, { action: 'reopen', reason: 'again' }, ben))).toMatch(/^STUDY_ACTION_CONFLICT/);
    const dismissed = await createStudy(prisma, { flagged: false, outcome: 'not_flagged', anyProbability: 0.1, priorityTier: PRIORITY_TIERS.ranked });
    await performStudyAction(audit, dismissed.uid, { action: 'dismiss', reason: 'wrong patient' }, ana);
    await performStudyAction(audit, dismissed.uid, { action: 'reopen', reason: 'right patient after all' }, ana);
    expect(await study(dismissed.id)).toMatchObject({ status: 'in_review', priorityTier: PRIORITY_TIERS.ranked });
  });

  it.skipIf(dbs.unavailable)('undoes the last status change of its author: back where it was, as its own journal entry', async () => {
    const s = await createStudy(prisma);
    const t0 = new Date();
    const reported = await performStudyAction(audit, s.uid, { action: 'mark_reported' }, ana, t0);
    expect(reported.result.undoableUntil).toBe(new Date(t0.getTime() + 120_000).toISOString());
    expect(await refusal(performStudyAction(audit, s.uid, { action: 'undo' }, ben))).toBe('STUDY_ACTION_CONFLICT: only the person who made the last change can undo it');
    const { result } = await performStudyAction(audit, s.uid, { action: 'undo' }, ana, new Date(t0.getTime() + 60_000));
    expect(result).toMatchObject({ action: 'undo', status: 'triaged', undoableUntil: null });
    expect(await study(s.id)).toMatchObject({ status: 'triaged', priorityTier: PRIORITY_TIERS.flagged });
    const entry = await prisma.auditEvent.findUniqueOrThrow({ where: { seq: result.auditSeq } });
    expect(entry).toMatchObject({ action: 'study.action_undone', actorUsername: 'ana', targetId: s.uid });
    expect(JSON.parse(entry.details)).toMatchObject({ undoneSeq: reported.result.auditSeq, undoneAction: 'study.reported', from: 'reported', to: 'triaged' });
    expect((await prisma.statusChange.findMany({ where: { studyId: s.id }, orderBy: { at: 'asc' } })).map((c) => [c.from, c.to])).toEqual([
      ['triaged', 'reported'],
      ['reported', 'triaged'],
    ]);
    // An undo is final: there is nothing left to undo.
    expect(await refusal(performStudyAction(audit, s.uid, { action: 'undo' }, ana))).toBe('STUDY_ACTION_CONFLICT: there is nothing to undo on this study');
  });

  it.skipIf(dbs.unavailable)('refuses an undo past the window, after someone else acted, or for a service token', async () => {
    const s = await createStudy(prisma);
    const t0 = new Date();
    await performStudyAction(audit, s.uid, { action: 'acknowledge' }, ana, t0, { undoWindowMs: 30_000 });
    expect(await refusal(performStudyAction(audit, s.uid, { action: 'undo' }, ana, new Date(t0.getTime() + 31_000), { undoWindowMs: 30_000 }))).toBe(
      'STUDY_ACTION_CONFLICT: too late to undo: a change can be undone for 30 s',
    );
    await performStudyAction(audit, s.uid, { action: 'escalate' }, ben);
    expect(await refusal(performStudyAction(audit, s.uid, { action: 'undo' }, ana))).toBe('STUDY_ACTION_CONFLICT: only the person who made the last change can undo it');
    const token = { userId: null, username: 'token:ris', ip: null };
    expect(await refusal(performStudyAction(audit, s.uid, { action: 'undo' }, token))).toMatch(/^VALIDATION_FAILED/);
    // A change outside the journal (a late slice re-opening analysis) also blocks it.
    const other = await createStudy(prisma);
    await performStudyAction(audit, other.uid, { action: 'acknowledge' }, ana);
    await prisma.study.update({ where: { id: other.id }, data: { status: 'analysing' } });
    expect(await refusal(performStudyAction(audit, other.uid, { action: 'undo' }, ana))).toBe('STUDY_ACTION_CONFLICT: the study changed since; that action can no longer be undone');
  });

  it.skipIf(dbs.unavailable)('undoes an escalation (tier back to what triage gives) and an assignment (back to the previous holder)', async () => {
    const s = await createStudy(prisma, { flagged: false, outcome: 'not_flagged', anyProbability: 0.05, priorityTier: PRIORITY_TIERS.ranked });
    await performStudyAction(audit, s.uid, { action: 'escalate' }, ana);
    expect((await study(s.id)).priorityTier).toBe(ESCALATED_TIER);
    await performStudyAction(audit, s.uid, { action: 'undo' }, ana);
    expect(await study(s.id)).toMatchObject({ escalatedAt: null, priorityTier: PRIORITY_TIERS.ranked });

    await performStudyAction(audit, s.uid, { action: 'assign_to_me' }, ben);
    await performStudyAction(audit, s.uid, { action: 'assign_to_me' }, ana);
    await performStudyAction(audit, s.uid, { action: 'undo' }, ana);
    const open = await prisma.assignment.findMany({ where: { studyId: s.id, releasedAt: null } });
    expect(open.map((a) => a.userId)).toEqual([ben.userId]);
  });

  it.skipIf(dbs.unavailable)('undoes a reopen: the study is closed again', async () => {
    const s = await createStudy(prisma);
    await performStudyAction(audit, s.uid, { action: 'dismiss', reason: 'duplicate' }, ana);
    await performStudyAction(audit, s.uid, { action: 'reopen', reason: 'not a duplicate' }, ben);
    await performStudyAction(audit, s.uid, { action: 'undo' }, ben);
    expect(await study(s.id)).toMatchObject({ status: 'dismissed', priorityTier: PRIORITY_TIERS.closed });
    expect(await verifyAuditChain(prisma)).toMatchObject({ ok: true });
  });
});
