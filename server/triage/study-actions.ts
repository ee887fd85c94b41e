import { AppError } from '@/lib/errors';
import { actionAllowed, MAX_ACTION_TEXT, UNDOABLE_ACTIONS, type StudyAction, type StudyActionResult } from '@/lib/study-actions';
import { sha256Text, type AuditActor, type AuditLog } from '@/server/audit';
import type { Prisma } from '@/server/db';
import { computePriority, PRIORITY_TIERS } from './priority';
import { canTransition, type StudyStatus, type TriageOutcome } from './study-status';
import { undoLastAction } from './undo-study-action';

/** What a client asks: the action, and the free text some actions need. */
export interface StudyActionRequest {
  action: StudyAction;
  /** Required when disagreeing; optional when agreeing. */
  comment?: string | undefined;
  /** Required when dismissing or reopening. */
  reason?: string | undefined;
}

/** How long an action may be undone by its author, and the aging limit for tiers an undo or reopen recomputes. */
export interface StudyActionPolicy {
  /** Default 2 minutes (STUDY_UNDO_WINDOW_S). */
  undoWindowMs?: number;
  /** Default 30 minutes (AGING_LIMIT_MIN). */
  agingLimitMs?: number;
  /**
   * Runs inside the action's transaction after a clinician disagreed with the result (the updated
   * DICOM SR to the PACS, server/results), so it is queued if and only if the feedback is recorded.
   */
  afterDisagreement?: ((tx: Tx, disagreed: { studyId: string; studyInstanceUid: string; feedbackId: string }) => Promise<void>) | undefined;
}

/** The default undo window: long enough to notice a wrong click, short enough that nobody relied on it yet. */
export const DEFAULT_UNDO_WINDOW_MS = 120_000;

/** Who acts, and from where: a person, or a service account (`userId` null). */
export interface StudyActor extends AuditActor {
  ip: string | null;
}

export type Tx = Prisma.TransactionClient;
/** What an action reads of a study before changing it. */
export type StudyRow = {
  id: string;
  StudyInstanceUID: string;
  status: StudyStatus;
  outcome: TriageOutcome | null;
  flagged: boolean;
  anyProbability: number | null;
  receivedAt: Date;
  notAnalysableReason: string | null;
  escalatedAt: Date | null;
  modelName: string | null;
  modelVersion: string | null;
};
const STUDY_ROW = {
  id: true,
  StudyInstanceUID: true,
  status: true,
  outcome: true,
  flagged: true,
  anyProbability: true,
  receivedAt: true,
  notAnalysableReason: true,
  escalatedAt: true,
  modelName: true,
  modelVersion: true,
} as const;

export const conflict = (message: string) => new AppError('STUDY_ACTION_CONFLICT', message);
const invalid = (message: string) => new AppError('VALIDATION_FAILED', message);

/**
 * The worklist tier of `study` as it would stand in `status` (and with `escalatedAt`): what a reopen
 * or an undo writes, so the study lands where the triage rules put it, not where it was.
 */
export function tierFor(study: StudyRow, status: StudyStatus, escalatedAt: Date | null, now: Date, agingLimitMs: number): number {
  // Only the tier is used, so the explanation's inputs (operating point) are left unknown.
  const input = { ...study, status, escalatedAt, decision: null, anyThreshold: Number.NaN };
  return computePriority(input, now, { agingLimitMs }).tier;
}

/** Trimmed free text within MAX_ACTION_TEXT, or VALIDATION_FAILED naming the field. */
function text(value: string | undefined, field: string, required: boolean): string | null {
  const trimmed = value?.trim() ?? '';
  if (!trimmed) {
    if (required) throw invalid(`a ${field} is required`);
    return null;
  }
  if (trimmed.length > MAX_ACTION_TEXT) throw invalid(`the ${field} is longer than ${MAX_ACTION_TEXT} characters`);
  return trimmed;
}

/**
 * Moves a study to `to`, recording who did it (StatusChange). The update is conditional on the
 * status just read, so two people acting at once cannot both move it: the second gets a conflict.
 */
async function moveStatus(tx: Tx, study: StudyRow, to: StudyStatus, actor: StudyActor, reason: string | null, now: Date, tier?: number): Promise<string> {
  if (!canTransition(study.status, to)) throw conflict(`a study that is ${study.status} cannot become ${to}`);
  const closing = to === 'reported' || to === 'dismissed';
  const priorityTier = closing ? PRIORITY_TIERS.closed : tier;
  const { count } = await tx.study.updateMany({
    where: { id: study.id, status: study.status },
    data: { status: to, version: { increment: 1 }, ...(priorityTier !== undefined ? { priorityTier } : {}) },
  });
  if (count !== 1) throw conflict('the study changed meanwhile; reload it and try again');
  const change = await tx.statusChange.create({ data: { studyId: study.id, from: study.status, to, byUserId: actor.userId, at: now, reason } });
  return change.id;
}

/**
 * Performs one clinician action on a study, in one transaction with its audit entry: the state
 * change and the record of it commit together or not at all. Throws AppError: NOT_FOUND (unknown
 * study), STUDY_ACTION_CONFLICT (not allowed in the study's status, or already done),
 * VALIDATION_FAILED (missing or too long text). Free text (comment, reason) is stored beside the
 * journal, which keeps its SHA-256: it may hold anything a clinician typed.
 */
export async function performStudyAction(
  audit: AuditLog,
  studyInstanceUid: string,
  request: StudyActionRequest,
  actor: StudyActor,
  now = new Date(),
  policy: StudyActionPolicy = {},
): Promise<{ studyId: string; result: StudyActionResult }> {
  const { action } = request;
  const comment = text(request.comment, 'comment', action === 'disagree');
  const reason = text(request.reason, 'reason', action === 'dismiss' || action === 'reopen');
  if (action === 'assign_to_me' && !actor.userId) throw invalid('a service account cannot be assigned a study');
  if (action === 'undo' && !actor.userId) throw invalid('a service account has no action of its own to undo');
  const undoWindowMs = policy.undoWindowMs ?? DEFAULT_UNDO_WINDOW_MS;
  const agingLimitMs = policy.agingLimitMs ?? 30 * 60_000;

  return audit.transaction(async (tx) => {
    const study = await tx.study.findUnique({ where: { StudyInstanceUID: studyInstanceUid }, select: STUDY_ROW });
    if (!study) throw new AppError('NOT_FOUND', 'no such study');
    if (!actionAllowed(action, study.status, study.outcome)) {
      const state = study.outcome === 'not_analysable' && (action === 'agree' || action === 'disagree') ? 'not analysable (no result to judge)' : study.status.replace('_', ' ');
      throw conflict(`cannot ${action.replace(/_/g, ' ')} a study that is ${state}`);
    }
    const { auditAction, details, status } =
      action === 'undo' ? await undoLastAction(tx, study, actor, now, { undoWindowMs, agingLimitMs }) : await apply(tx, study, action, { comment, reason }, actor, now, agingLimitMs);
    if (action === 'disagree' && policy.afterDisagreement) await policy.afterDisagreement(tx, { studyId: study.id, studyInstanceUid, feedbackId: String(details.feedbackId) });
    const entry = await audit.append(
      { actor: { userId: actor.userId, username: actor.username }, ip: actor.ip, action: auditAction, target: { type: 'study', id: studyInstanceUid }, details, at: now },
      tx,
    );
    const undoableUntil = UNDOABLE_ACTIONS.includes(action) && actor.userId ? new Date(now.getTime() + undoWindowMs).toISOString() : null;
    return { studyId: study.id, result: { action, status, auditSeq: entry.seq, undoableUntil } };
  });
}

/** What an action did: its journal entry's action and details, and the study's status after it. */
export type Applied = { auditAction: Parameters<AuditLog['append']>[0]['action']; details: Record<string, string | number | boolean | null | string[]>; status: StudyStatus };

async function apply(
  tx: Tx,
  study: StudyRow,
  action: Exclude<StudyAction, 'undo'>,
  input: { comment: string | null; reason: string | null },
  actor: StudyActor,
  now: Date,
  agingLimitMs: number,
): Promise<Applied> {
  switch (action) {
    case 'reopen': {
      // Back to review, in the tier the triage rules give it now (an escalation still holds).
      const tier = tierFor(study, 'in_review', study.escalatedAt, now, agingLimitMs);
      const statusChangeId = await moveStatus(tx, study, 'in_review', actor, input.reason, now, tier);
      return {
        auditAction: 'study.reopened',
        details: { from: study.status, to: 'in_review', statusChangeId, reasonSha256: sha256Text(input.reason!) },
        status: 'in_review',
      };
    }
    case 'acknowledge': {
      const statusChangeId = await moveStatus(tx, study, 'in_review', actor, null, now);
      return { auditAction: 'study.acknowledged', details: { from: study.status, to: 'in_review', statusChangeId }, status: 'in_review' };
    }
    case 'mark_reported': {
      const statusChangeId = await moveStatus(tx, study, 'reported', actor, null, now);
      return { auditAction: 'study.reported', details: { from: study.status, to: 'reported', statusChangeId }, status: 'reported' };
    }
    case 'dismiss': {
      const statusChangeId = await moveStatus(tx, study, 'dismissed', actor, input.reason, now);
      return {
        auditAction: 'study.dismissed',
        details: { from: study.status, to: 'dismissed', statusChangeId, reasonSha256: sha256Text(input.reason!) },
        status: 'dismissed',
      };
    }
    case 'assign_to_me': {
      const open = await tx.assignment.findMany({ where: { studyId: study.id, releasedAt: null }, select: { id: true, userId: true } });
      if (open.some((a) => a.userId === actor.userId)) throw conflict('the study is already assigned to you');
      if (open.length > 0) await tx.assignment.updateMany({ where: { id: { in: open.map((a) => a.id) } }, data: { releasedAt: now } });
      const assignment = await tx.assignment.create({ data: { studyId: study.id, userId: actor.userId!, assignedById: actor.userId, assignedAt: now } });
      await tx.study.update({ where: { id: study.id }, data: { version: { increment: 1 } } });
      return { auditAction: 'study.assigned', details: { assignmentId: assignment.id, releasedFromUserIds: open.map((a) => a.userId) }, status: study.status };
    }
    case 'agree':
    case 'disagree': {
      const feedback = await tx.studyFeedback.create({
        data: { studyId: study.id, userId: actor.userId, verdict: action, comment: input.comment, flagged: study.flagged, modelName: study.modelName, modelVersion: study.modelVersion, createdAt: now },
      });
      return {
        auditAction: 'study.feedback',
        details: {
          verdict: action,
          feedbackId: feedback.id,
          flagged: study.flagged,
          model: study.modelName ? `${study.modelName}@${study.modelVersion ?? '?'}` : null,
          commentSha256: input.comment ? sha256Text(input.comment) : null,
        },
        status: study.status,
      };
    }
    case 'escalate': {
      if (study.escalatedAt) throw conflict('the study is already escalated');
      // Conditional, like a status move: of two people escalating at once, one records it.
      const { count } = await tx.study.updateMany({
        where: { id: study.id, escalatedAt: null },
        data: { escalatedAt: now, priorityTier: PRIORITY_TIERS.escalated, version: { increment: 1 } },
      });
      if (count !== 1) throw conflict('the study is already escalated');
      return { auditAction: 'study.escalated', details: { tier: PRIORITY_TIERS.escalated }, status: study.status };
    }
  }
}
