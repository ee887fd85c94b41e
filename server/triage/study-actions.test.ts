import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError, type ErrorCode } from '@/lib/errors';
import { AuditLog, sha256Text, verifyAuditChain, type AuditEventInput } from '@/server/audit';
import { openDatabase, type Database, type DbClient, type Prisma } from '@/server/db';
import { allTestDatabases, memoryLog } from '@/test/support/test-databases';
import { performStudyAction, type StudyActor } from './study-actions';

/** The tier the database keeps an escalated open study in (trigger of migration study_decision_points). */
const ESCALATED_TIER = -1;
let uidCounter = 0;

/** A triaged (by default) study, flagged by model m@1. */
async function createStudy(prisma: DbClient, data: Partial<Prisma.StudyCreateInput> = {}): Promise<{ id: string; uid: string }> {
  const uid = `1.2.826.0.1.3680043.8.498.7.${++uidCounter}`;
  const s = await prisma.study.create({
    data: { StudyInstanceUID: uid, status: 'triaged', outcome: 'flagged', flagged: true, anyProbability: 0.4, priorityTier: 2, modelName: 'm', modelVersion: '1', ...data },
  });
  return { id: s.id, uid };
}

/** The AppError code a promise rejects with. */
async function codeOf(p: Promise<unknown>): Promise<ErrorCode | 'resolved' | 'other'> {
  return p.then(
    () => 'resolved' as const,
    (e: unknown) => (isAppError(e) ? e.code : 'other'),
  );
}

/** A journal whose every append fails after writing: the action must roll back with it. */
class FailingAuditLog extends AuditLog {
  override async append(event: AuditEventInput, tx?: Prisma.TransactionClient): Promise<never> {
    await super.append(event, tx);
    throw new Error('journal unavailable');
  }
}

describe.each(allTestDatabases())('clinician actions on $provider', (dbs) => {
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

  it.skipIf(dbs.unavailable)('acknowledge moves triaged → in review with who did it, in one transaction with its audit entry', async () => {
    const s = await createStudy(prisma);
    const { studyId, result } = await performStudyAction(audit, s.uid, { action: 'acknowledge' }, ana);
    expect(studyId).toBe(s.id);
    expect(result).toMatchObject({ action: 'acknowledge', status: 'in_review' });
    expect(await prisma.study.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({ status: 'in_review', version: 1 });
    const change = await prisma.statusChange.findFirstOrThrow({ where: { studyId: s.id } });
    expect(change).toMatchObject({ from: 'triaged', to: 'in_review', byUserId: ana.userId });
    const entry = await prisma.auditEvent.findUniqueOrThrow({ where: { seq: result.auditSeq } });
    expect(entry).toMatchObject({ action: 'study.acknowledged', actorUserId: ana.userId, actorUsername: 'ana', ip: '10.1.2.3', targetType: 'study', targetId: s.uid });
    expect(JSON.parse(entry.details)).toEqual({ from: 'triaged', to: 'in_review', statusChangeId: change.id });
    // Acknowledged once: a second acknowledge is a conflict, not a second record.
    expect(await codeOf(performStudyAction(audit, s.uid, { action: 'acknowledge' }, ben))).toBe('STUDY_ACTION_CONFLICT');
  });

  it.skipIf(dbs.unavailable)('answers NOT_FOUND, STUDY_ACTION_CONFLICT and VALIDATION_FAILED with nothing written', async () => {
    const before = await prisma.auditEvent.count();
    expect(await codeOf(performStudyAction(audit, '1.2.3.999', { action: 'acknowledge' }, ana))).toBe('NOT_FOUND');
    const receiving = await createStudy(prisma, { status: 'receiving', outcome: null });
    expect(await codeOf(performStudyAction(audit, receiving.uid, { action: 'mark_reported' }, ana))).toBe('STUDY_ACTION_CONFLICT');
    expect(await codeOf(performStudyAction(audit, receiving.uid, { action: 'agree' }, ana))).toBe('STUDY_ACTION_CONFLICT');
    const s = await createStudy(prisma);
    expect(await codeOf(performStudyAction(audit, s.uid, { action: 'disagree' }, ana))).toBe('VALIDATION_FAILED');
    expect(await codeOf(performStudyAction(audit, s.uid, { action: 'disagree', comment: '   ' }, ana))).toBe('VALIDATION_FAILED');
    expect(await codeOf(performStudyAction(audit, s.uid, { action: 'disagree', comment: 'x'.repeat(2001) }, ana))).toBe('VALIDATION_FAILED');
    expect(await codeOf(performStudyAction(audit, s.uid, { action: 'dismiss' }, ana))).toBe('VALIDATION_FAILED');
    const token = { userId: null, username: 'token:ris', ip: null };
    expect(await codeOf(performStudyAction(audit, s.uid, { action: 'assign_to_me' }, token))).toBe('VALIDATION_FAILED');
    expect(await prisma.auditEvent.count()).toBe(before);
    expect(await prisma.study.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({ status: 'triaged', version: 0 });
  });

  it.skipIf(dbs.unavailable)('refuses agree and disagree on a study the model could not analyse: there is no result to judge', async () => {
    const s = await createStudy(prisma, { outcome: 'not_analysable', flagged: false, anyProbability: null, priorityTier: 1 });
    expect(await codeOf(performStudyAction(audit, s.uid, { action: 'agree' }, ana))).toBe('STUDY_ACTION_CONFLICT');
    expect(await codeOf(performStudyAction(audit, s.uid, { action: 'disagree', comment: 'x' }, ana))).toBe('STUDY_ACTION_CONFLICT');
    expect(await prisma.studyFeedback.count({ where: { studyId: s.id } })).toBe(0);
    expect(await codeOf(performStudyAction(audit, s.uid, { action: 'acknowledge' }, ana))).toBe('resolved');
  });

  it.skipIf(dbs.unavailable)('disagree keeps the comment beside the journal, which holds its SHA-256', async () => {
    const s = await createStudy(prisma, { status: 'in_review' });
    const comment = '  Calcified falx, not a bleed.  ';
    const { result } = await performStudyAction(audit, s.uid, { action: 'disagree', comment }, ben);
    const feedback = await prisma.studyFeedback.findFirstOrThrow({ where: { studyId: s.id } });
    expect(feedback).toMatchObject({ verdict: 'disagree', comment: comment.trim(), userId: ben.userId, flagged: true, modelName: 'm', modelVersion: '1' });
    const entry = await prisma.auditEvent.findUniqueOrThrow({ where: { seq: result.auditSeq } });
    expect(entry.details).not.toContain('falx');
    expect(JSON.parse(entry.details)).toEqual({ verdict: 'disagree', feedbackId: feedback.id, flagged: true, model: 'm@1', commentSha256: sha256Text(comment.trim()) });
    const agreed = await performStudyAction(audit, s.uid, { action: 'agree' }, ana);
    expect(agreed.result.status).toBe('in_review');
    expect(await prisma.studyFeedback.count({ where: { studyId: s.id } })).toBe(2);
  });

  it.skipIf(dbs.unavailable)('assign to me takes the study over from the previous assignee', async () => {
    const s = await createStudy(prisma);
    await performStudyAction(audit, s.uid, { action: 'assign_to_me' }, ana);
    expect(await codeOf(performStudyAction(audit, s.uid, { action: 'assign_to_me' }, ana))).toBe('STUDY_ACTION_CONFLICT');
    const { result } = await performStudyAction(audit, s.uid, { action: 'assign_to_me' }, ben);
    const rows = await prisma.assignment.findMany({ where: { studyId: s.id }, orderBy: { assignedAt: 'asc' } });
    expect(rows.map((r) => [r.userId, r.releasedAt === null])).toEqual([
      [ana.userId, false],
      [ben.userId, true],
    ]);
    const entry = await prisma.auditEvent.findUniqueOrThrow({ where: { seq: result.auditSeq } });
    expect(JSON.parse(entry.details)).toEqual({ assignmentId: rows[1]!.id, releasedFromUserIds: [ana.userId] });
  });

  it.skipIf(dbs.unavailable)('escalation keeps a study on top whoever rewrites its tier, until it is closed', async () => {
    const s = await createStudy(prisma, { flagged: false, outcome: 'not_flagged', anyProbability: 0.05 });
    await performStudyAction(audit, s.uid, { action: 'escalate' }, ana);
    const tier = async () => (await prisma.study.findUniqueOrThrow({ where: { id: s.id } })).priorityTier;
    expect(await tier()).toBe(ESCALATED_TIER);
    // What provisional rescoring, finalisation and the aging sweep write: the database keeps it escalated.
    await prisma.study.update({ where: { id: s.id }, data: { priorityTier: 2, anyProbability: 0.06 } });
    expect(await tier()).toBe(ESCALATED_TIER);
    await prisma.study.updateMany({ where: { id: { in: [s.id] } }, data: { priorityTier: 1 } });
    expect(await tier()).toBe(ESCALATED_TIER);
    expect(await codeOf(performStudyAction(audit, s.uid, { action: 'escalate' }, ben))).toBe('STUDY_ACTION_CONFLICT');
    // Dismissed: closed, off the list, with the reason kept beside the journal.
    const { result } = await performStudyAction(audit, s.uid, { action: 'dismiss', reason: 'Duplicate of an earlier study' }, ben);
    expect(result.status).toBe('dismissed');
    expect(await tier()).toBe(3);
    expect(await prisma.statusChange.findFirstOrThrow({ where: { studyId: s.id, to: 'dismissed' } })).toMatchObject({ byUserId: ben.userId, reason: 'Duplicate of an earlier study' });
    expect(await codeOf(performStudyAction(audit, s.uid, { action: 'escalate' }, ana))).toBe('STUDY_ACTION_CONFLICT');
    // An unescalated study is left to the other writers.
    const plain = await createStudy(prisma);
    await prisma.study.update({ where: { id: plain.id }, data: { priorityTier: 1 } });
    expect((await prisma.study.findUniqueOrThrow({ where: { id: plain.id } })).priorityTier).toBe(1);
  });

  it.skipIf(dbs.unavailable)('mark reported closes the study; two people acting at once: one wins, the other gets a conflict', async () => {
    const s = await createStudy(prisma);
    const results = await Promise.all([
      codeOf(performStudyAction(audit, s.uid, { action: 'mark_reported' }, ana)),
      codeOf(performStudyAction(audit, s.uid, { action: 'mark_reported' }, ben)),
    ]);
    expect(results.sort()).toEqual(['STUDY_ACTION_CONFLICT', 'resolved']);
    expect(await prisma.study.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({ status: 'reported', priorityTier: 3 });
    expect(await prisma.statusChange.count({ where: { studyId: s.id } })).toBe(1);
  });

  it.skipIf(dbs.unavailable)('a failing journal rolls the action back', async () => {
    const s = await createStudy(prisma);
    const before = await prisma.auditEvent.count();
    await expect(performStudyAction(new FailingAuditLog(prisma, db.provider), s.uid, { action: 'acknowledge' }, ana)).rejects.toThrow('journal unavailable');
    expect(await prisma.study.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({ status: 'triaged', version: 0 });
    expect(await prisma.statusChange.count({ where: { studyId: s.id } })).toBe(0);
    expect(await prisma.auditEvent.count()).toBe(before);
  });

  it.skipIf(dbs.unavailable)('every action above left an intact chain', async () => {
    expect(await verifyAuditChain(prisma)).toMatchObject({ ok: true });
  });
});
