import type { WorklistItem } from './worklist';

/**
 * What a clinician can do to a study, shared by the action API (server/triage/study-actions.ts) and
 * the actions panel, so a button is offered exactly when the server would accept it. Isomorphic.
 */
export const STUDY_ACTIONS = ['acknowledge', 'assign_to_me', 'agree', 'disagree', 'escalate', 'mark_reported', 'dismiss', 'reopen', 'undo'] as const;
export type StudyAction = (typeof STUDY_ACTIONS)[number];

type Status = WorklistItem['status'];

/**
 * Actions their author may take back for a short while (STUDY_UNDO_WINDOW_S) with `undo`. Feedback
 * is not among them: a verdict is an opinion on the model, kept as given (a second one can follow).
 */
export const UNDOABLE_ACTIONS: readonly StudyAction[] = ['acknowledge', 'assign_to_me', 'escalate', 'mark_reported', 'dismiss', 'reopen'];

/** Longest comment (disagree) or reason (dismiss, reopen) accepted, in characters. */
export const MAX_ACTION_TEXT = 2000;

const OPEN: readonly Status[] = ['receiving', 'analysing', 'triaged', 'in_review'];
const ANY: readonly Status[] = [...OPEN, 'reported', 'dismissed'];
/** A study has a model result to agree or disagree with once it was triaged. */
const JUDGED: readonly Status[] = ['triaged', 'in_review', 'reported', 'dismissed'];

const ALLOWED_IN: Record<StudyAction, readonly Status[]> = {
  acknowledge: ['triaged'],
  assign_to_me: OPEN,
  agree: JUDGED,
  disagree: JUDGED,
  escalate: OPEN,
  mark_reported: ['triaged', 'in_review'],
  dismiss: ['triaged', 'in_review'],
  reopen: ['reported', 'dismissed'],
  // Whether there is something to undo is the server's to say (whose last action, how long ago).
  undo: ANY,
};

type Outcome = WorklistItem['outcome'];

/**
 * True when `action` is allowed while the study is in `status` with `outcome`. A study the model
 * could not analyse has no result to agree or disagree with (it would skew the disagreement rate).
 */
export function actionAllowed(action: StudyAction, status: Status, outcome: Outcome = null): boolean {
  if ((action === 'agree' || action === 'disagree') && outcome === 'not_analysable') return false;
  return ALLOWED_IN[action].includes(status);
}

/** The actions allowed in `status` with `outcome`, in display order (undo is offered apart, after an action). */
export function allowedActions(status: Status, outcome: Outcome = null): StudyAction[] {
  return STUDY_ACTIONS.filter((a) => a !== 'undo' && actionAllowed(a, status, outcome));
}

/** Human labels for buttons and the audit timeline. */
export const STUDY_ACTION_LABELS: Record<StudyAction, string> = {
  acknowledge: 'Acknowledge',
  assign_to_me: 'Assign to me',
  agree: 'Agree with result',
  disagree: 'Disagree…',
  escalate: 'Escalate',
  mark_reported: 'Mark reported',
  dismiss: 'Dismiss…',
  reopen: 'Reopen…',
  undo: 'Undo',
};

/** What the action API answers on success. */
export interface StudyActionResult {
  action: StudyAction;
  status: Status;
  /** Sequence number of the audit entry that records the action. */
  auditSeq: number;
  /** Until when its author may undo it (ISO); null for an action that cannot be undone (feedback, undo itself). */
  undoableUntil: string | null;
}
