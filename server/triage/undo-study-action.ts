import type { AuditAction } from '@/lib/audit';
import { conflict, tierFor, type Applied, type StudyActor, type StudyRow, type Tx } from './study-actions';
import type { StudyStatus } from './study-status';

/** Journal actions an undo can take back, and what each was (lib/study-actions UNDOABLE_ACTIONS). */
const UNDOABLE: readonly AuditAction[] = ['study.acknowledged', 'study.assigned', 'study.escalated', 'study.reported', 'study.dismissed', 'study.reopened'];
const STATUS_MOVES: readonly AuditAction[] = ['study.acknowledged', 'study.reported', 'study.dismissed', 'study.reopened'];
/** Entries that change a study's state: only the newest of these can be undone, and an undo itself is final. */
const STATE_CHANGES: readonly AuditAction[] = [...UNDOABLE, 'study.action_undone'];

type Details = { from?: StudyStatus; to?: StudyStatus; statusChangeId?: string; assignmentId?: string; releasedFromUserIds?: string[] };

/**
 * Takes back the newest state change on a study, when the person asking made it, within the undo
 * window, and nothing moved the study since (its status and latest StatusChange, its escalation or
 * its open assignment are still what that action left). The study returns to where it was, with
 * the tier the triage rules give it there; the undo is its own journal entry naming the entry it
 * undid, so the journal never loses the action itself. Throws STUDY_ACTION_CONFLICT otherwise.
 */
export async function undoLastAction(tx: Tx, study: StudyRow, actor: StudyActor, now: Date, policy: { undoWindowMs: number; agingLimitMs: number }): Promise<Applied> {
  const last = await tx.auditEvent.findFirst({
    where: { targetType: 'study', targetId: study.StudyInstanceUID, action: { in: [...STATE_CHANGES] } },
    orderBy: { seq: 'desc' },
  });
  if (!last || last.action === 'study.action_undone') throw conflict('there is nothing to undo on this study');
  if (last.actorUserId === null || last.actorUserId !== actor.userId) throw conflict('only the person who made the last change can undo it');
  if (now.getTime() - last.at.getTime() > policy.undoWindowMs) throw conflict(`too late to undo: a change can be undone for ${Math.round(policy.undoWindowMs / 1000)} s`);
  const details = JSON.parse(last.details) as Details;
  const undone = { undoneSeq: last.seq, undoneAction: last.action };
  const changed = () => conflict('the study changed since; that action can no longer be undone');

  if (STATUS_MOVES.includes(last.action as AuditAction)) {
    const latest = await tx.statusChange.findFirst({ where: { studyId: study.id }, orderBy: [{ at: 'desc' }, { id: 'desc' }], select: { id: true } });
    if (!details.from || study.status !== details.to || latest?.id !== details.statusChangeId) throw changed();
    const to = details.from;
    // Restoring the state an action left is always valid, so the lifecycle table is not consulted
    // (it has no move from reported back to triaged, which undoing a report from triaged needs).
    const { count } = await tx.study.updateMany({
      where: { id: study.id, status: study.status },
      data: { status: to, priorityTier: tierFor(study, to, study.escalatedAt, now, policy.agingLimitMs), version: { increment: 1 } },
    });
    if (count !== 1) throw changed();
    const change = await tx.statusChange.create({ data: { studyId: study.id, from: study.status, to, byUserId: actor.userId, at: now, reason: null } });
    return { auditAction: 'study.action_undone', details: { ...undone, from: study.status, to, statusChangeId: change.id }, status: to };
  }
  if (last.action === 'study.escalated') {
    if (!study.escalatedAt || study.escalatedAt.getTime() !== last.at.getTime()) throw changed();
    const { count } = await tx.study.updateMany({
      where: { id: study.id, escalatedAt: study.escalatedAt },
      data: { escalatedAt: null, priorityTier: tierFor(study, study.status, null, now, policy.agingLimitMs), version: { increment: 1 } },
    });
    if (count !== 1) throw changed();
    return { auditAction: 'study.action_undone', details: undone, status: study.status };
  }
  // study.assigned: release the assignment it made and hand the study back to whoever held it.
  const { count } = await tx.assignment.updateMany({ where: { id: details.assignmentId ?? '', studyId: study.id, releasedAt: null }, data: { releasedAt: now } });
  if (count !== 1) throw changed();
  const previous = details.releasedFromUserIds?.[0];
  const restored = previous ? await tx.assignment.create({ data: { studyId: study.id, userId: previous, assignedById: actor.userId, assignedAt: now } }) : null;
  await tx.study.update({ where: { id: study.id }, data: { version: { increment: 1 } } });
  return { auditAction: 'study.action_undone', details: { ...undone, restoredAssignmentId: restored?.id ?? null }, status: study.status };
}
