import type { Prisma } from './db-client';

/**
 * The worklist order of issue 4: priority tier first (server/triage/priority.ts: flagged, then
 * studies that need eyes — not analysable or waiting past the aging limit — then the rest), then
 * the "any" probability from high to low (studies not yet scored last, on both databases), then
 * earliest arrival; the id makes ties deterministic so pages never overlap. The index
 * `Study_priorityTier_anyProbability_receivedAt_id_status_idx` has exactly these columns in this order,
 * so a page is read straight off the index.
 */
export const WORKLIST_ORDER_BY = [
  { priorityTier: 'asc' },
  { anyProbability: { sort: 'desc', nulls: 'last' } },
  { receivedAt: 'asc' },
  { id: 'asc' },
] as const satisfies Prisma.StudyOrderByWithRelationInput[];

/** Statuses shown on the live worklist (the rest are finished: reported or dismissed). */
export const WORKLIST_ACTIVE_STATUSES = ['receiving', 'analysing', 'triaged', 'in_review'] as const;
