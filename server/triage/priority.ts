import { flagReason, type StudyDecision } from '@/lib/study-decision';
import { compareRank } from '@/lib/worklist';
import type { StudyStatus, TriageOutcome } from './study-status';

/**
 * Where a study sits in the worklist, and why. The order is: tier ascending, then the "any"
 * probability descending, then arrival ascending. Tiers keep the rule explainable in one sentence
 * per study and indexable in SQL (the aging sweep rewrites tiers; it never reorders by hand).
 */
export const PRIORITY_TIERS = {
  /**
   * A clinician escalated it: first, whatever its score or analysis state (a trigger keeps it here
   * while it is open, whichever writer rewrites the tier; migration study_decision_points).
   */
  escalated: -1,
  /** "Any" at or above the study-level operating point in force. */
  flagged: 0,
  /** Needs a human now: waited past the aging limit, or could not be analysed. */
  needsEyes: 1,
  /** Everything else still open, ranked by the model's "any" probability. */
  ranked: 2,
  /** Reported or dismissed: off the active list. */
  closed: 3,
} as const;
export type PriorityTier = (typeof PRIORITY_TIERS)[keyof typeof PRIORITY_TIERS];

export interface PriorityInput {
  status: StudyStatus;
  outcome: TriageOutcome | null;
  flagged: boolean;
  /** Study probability of any hemorrhage, null before the first slice is scored. */
  anyProbability: number | null;
  /** The study-level point the study was decided by (Study.decisionPoint), for the explanation. */
  decision: StudyDecision | null;
  receivedAt: Date;
  /** Why the study could not be analysed, when it could not. */
  notAnalysableReason?: string | null;
  /** A clinician escalated it (Study.escalatedAt): the escalated tier while open, whatever the score. */
  escalatedAt?: Date | null;
}

export interface PriorityPolicy {
  /** Unreviewed studies older than this move up to the needs-eyes tier. */
  agingLimitMs: number;
}

export interface Priority {
  tier: PriorityTier;
  /** Human-readable reasons, most important first: "why is this here". */
  reasons: string[];
}

const minutes = (ms: number) => Math.floor(ms / 60_000);

export function computePriority(study: PriorityInput, now: Date, policy: PriorityPolicy): Priority {
  const p = study.anyProbability;
  const score = p === null ? 'not scored yet' : flagReason(p, study.decision, 'short');
  if (study.status === 'reported' || study.status === 'dismissed') {
    return { tier: PRIORITY_TIERS.closed, reasons: [`${study.status}`] };
  }
  const waited = now.getTime() - study.receivedAt.getTime();
  const reviewed = study.status === 'in_review';
  if (study.escalatedAt) {
    const state = study.outcome === 'not_analysable' ? `not analysable: ${study.notAnalysableReason ?? 'reason not recorded'}` : study.flagged ? `flagged: ${score}` : score;
    return { tier: PRIORITY_TIERS.escalated, reasons: [`escalated by a clinician ${minutes(now.getTime() - study.escalatedAt.getTime())} min ago`, state] };
  }
  if (study.flagged) {
    return { tier: PRIORITY_TIERS.flagged, reasons: [`flagged: ${score}`, `waiting ${minutes(waited)} min`] };
  }
  if (study.outcome === 'not_analysable') {
    return {
      tier: PRIORITY_TIERS.needsEyes,
      reasons: [`not analysable: ${study.notAnalysableReason ?? 'reason not recorded'}`, 'needs a human read'],
    };
  }
  if (!reviewed && waited > policy.agingLimitMs) {
    return {
      tier: PRIORITY_TIERS.needsEyes,
      reasons: [`waiting ${minutes(waited)} min, past the ${minutes(policy.agingLimitMs)} min aging limit`, score],
    };
  }
  return { tier: PRIORITY_TIERS.ranked, reasons: [score, `waiting ${minutes(waited)} min`] };
}

type Ranked = { tier: number; anyProbability: number | null; receivedAt: Date };

/** The worklist order (lib/worklist.ts compareRank) for studies as the server holds them. */
export function comparePriority(a: Ranked, b: Ranked): number {
  const inputs = (s: Ranked) => ({ tier: s.tier, any: s.anyProbability, receivedAtMs: s.receivedAt.getTime() });
  return compareRank(inputs(a), inputs(b));
}
