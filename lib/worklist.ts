import type { Label, LabelRecord } from './labels';

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
  flags: Record<Exclude<Label, 'any'>, boolean>;
  notAnalysableReason: string | null;
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
}

/** The worklist order, identical to server/db/worklist-order.ts. */
export function compareWorklist(a: WorklistItem, b: WorklistItem): number {
  if (a.priorityTier !== b.priorityTier) return a.priorityTier - b.priorityTier;
  const pa = a.probabilities.any ?? -1;
  const pb = b.probabilities.any ?? -1;
  if (pa !== pb) return pb - pa;
  return a.receivedAt.localeCompare(b.receivedAt) || a.studyInstanceUid.localeCompare(b.studyInstanceUid);
}
