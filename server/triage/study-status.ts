/**
 * A study's lifecycle. Each transition is recorded with who and when (status history); only the
 * moves listed here are allowed, so the worklist can never show an impossible state.
 */
export const STUDY_STATUSES = [
  'receiving', // slices arriving, provisional scores only
  'analysing', // quiet period over or all slices in; final scoring running
  'flagged', // triaged: at least one label at or above its operating point
  'not_flagged', // triaged: below every operating point
  'not_analysable', // triaged: could not be scored, with a reason
  'in_review', // a clinician opened/acknowledged it
  'reported',
  'dismissed',
] as const;
export type StudyStatus = (typeof STUDY_STATUSES)[number];

const TRIAGED: readonly StudyStatus[] = ['flagged', 'not_flagged', 'not_analysable'];
const CLOSED: readonly StudyStatus[] = ['reported', 'dismissed'];

const ALLOWED: Record<StudyStatus, readonly StudyStatus[]> = {
  receiving: ['receiving', 'analysing', ...TRIAGED],
  analysing: ['receiving', ...TRIAGED],
  flagged: ['receiving', ...TRIAGED, 'in_review', 'reported', 'dismissed'],
  not_flagged: ['receiving', ...TRIAGED, 'in_review', 'reported', 'dismissed'],
  not_analysable: ['receiving', ...TRIAGED, 'in_review', 'reported', 'dismissed'],
  // A late slice re-opens a study under review: its score may change, the reviewer must see it.
  in_review: ['receiving', 'in_review', 'reported', 'dismissed'],
  reported: ['in_review'],
  dismissed: ['in_review'],
};

export function canTransition(from: StudyStatus, to: StudyStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function isTriaged(status: StudyStatus): boolean {
  return TRIAGED.includes(status);
}

/** Reported and dismissed studies leave the active worklist (they stay searchable). */
export function isClosed(status: StudyStatus): boolean {
  return CLOSED.includes(status);
}
