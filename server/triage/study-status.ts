/**
 * A study's lifecycle, as stored (prisma/schema.prisma: StudyStatus + TriageOutcome). Each
 * transition is recorded with who and when (StatusChange); only the moves listed here are
 * allowed, so the worklist can never show an impossible state.
 */
export const STUDY_STATUSES = ['receiving', 'analysing', 'triaged', 'in_review', 'reported', 'dismissed'] as const;
export type StudyStatus = (typeof STUDY_STATUSES)[number];

/** The triage result, set when a study becomes `triaged`. */
export const TRIAGE_OUTCOMES = ['flagged', 'not_flagged', 'not_analysable'] as const;
export type TriageOutcome = (typeof TRIAGE_OUTCOMES)[number];

const ALLOWED: Record<StudyStatus, readonly StudyStatus[]> = {
  receiving: ['analysing', 'triaged'],
  analysing: ['receiving', 'triaged'],
  // A late slice re-opens a triaged study, or one under review: its score may change, and the
  // reviewer must see that it did.
  triaged: ['receiving', 'analysing', 'triaged', 'in_review', 'reported', 'dismissed'],
  in_review: ['receiving', 'analysing', 'triaged', 'reported', 'dismissed'],
  reported: ['in_review'],
  dismissed: ['in_review'],
};

export function canTransition(from: StudyStatus, to: StudyStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** Reported and dismissed studies leave the active worklist (they stay searchable). */
export function isClosed(status: StudyStatus): boolean {
  return status === 'reported' || status === 'dismissed';
}
