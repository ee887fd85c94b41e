import type { Label, LabelRecord } from './labels';
import type { StudyDecision } from './study-decision';

/**
 * One row of the live worklist, as the API returns it and the socket pushes it. Isomorphic: the
 * dashboard sorts with the same rule as the database (tier, then "any" probability, then arrival).
 */
export interface WorklistItem {
  studyInstanceUid: string;
  status: 'receiving' | 'analysing' | 'triaged' | 'in_review' | 'reported' | 'dismissed';
  outcome: 'flagged' | 'not_flagged' | 'not_analysable' | null;
  /** 1-based position in the active worklist at the time it was read (0 for closed studies). */
  rank: number;
  priorityTier: number;
  flagged: boolean;
  /** Study-level probability per label; null until the first slice is scored. */
  probabilities: LabelRecord<number | null>;
  /**
   * Suspected subtypes: only on a flagged study, and only those at or above their own study-level
   * operating point (a subtype without one is never suspected).
   */
  flags: Record<Exclude<Label, 'any'>, boolean>;
  notAnalysableReason: string | null;
  /**
   * Triaged only after the quiet period while its slices do not cover the head (a gap, or short of
   * the skull base or vertex): a sender may have died mid-study. A late slice re-opens it.
   */
  possiblyIncomplete: boolean;
  slices: { received: number; analysed: number; failed: number };
  /** Masked patient display (initials and the last characters of the ID): full identifiers need a role. */
  patient: string;
  patientSex: string | null;
  patientAge: string | null;
  receivedAt: string;
  completedAt: string | null;
  triagedAt: string | null;
  model: string | null;
  /** Username of the open assignment (released ones do not count), or null when nobody has it. */
  assignee: string | null;
  /** Someone escalated it (Study.escalatedAt is set). */
  escalated: boolean;
  /** The study-level point it was decided by (lib/study-decision.ts flagReason says it in words); null before scoring. */
  decision: StudyDecision | null;
}

/** What the worklist order reads of a study; `id` breaks exact ties. */
export interface RankInputs {
  tier: number;
  /** "Any" probability; null (not scored) sorts last within its tier. */
  any: number | null;
  receivedAtMs: number;
  id?: string;
}

/** The one worklist order, identical to server/db/worklist-order.ts: tier, "any" descending, arrival, id. */
export function compareRank(a: RankInputs, b: RankInputs): number {
  if (a.tier !== b.tier) return a.tier - b.tier;
  const pa = a.any ?? -1;
  const pb = b.any ?? -1;
  if (pa !== pb) return pb - pa;
  return a.receivedAtMs - b.receivedAtMs || (a.id ?? '').localeCompare(b.id ?? '');
}

const rankInputs = (s: WorklistItem): RankInputs => ({ tier: s.priorityTier, any: s.probabilities.any, receivedAtMs: Date.parse(s.receivedAt), id: s.studyInstanceUid });

/** The worklist order for rows as the API and the socket carry them. */
export function compareWorklist(a: WorklistItem, b: WorklistItem): number {
  return compareRank(rankInputs(a), rankInputs(b));
}
