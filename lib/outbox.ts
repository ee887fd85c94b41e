/**
 * The outbox as the admin API returns it (GET /api/outbox): outgoing alerts and results, their
 * delivery state and last error. Isomorphic: the operations page renders these.
 */
export const OUTBOX_STATES = ['pending', 'delivering', 'delivered', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/** One outgoing message; never its payload (it may carry PHI when NOTIFY_INCLUDE_PHI is on). */
export interface OutboxRow {
  id: string;
  kind: string;
  eventId: string;
  studyInstanceUid: string | null;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

/** The backlog at a glance, and the newest failures. */
export interface OutboxSummary {
  /** Rows not yet delivered nor failed (pending + delivering). */
  backlog: number;
  failed: number;
  delivered: number;
  /** The oldest undelivered row's creation time (how far behind delivery is). */
  oldestPendingAt: string | null;
  /** The most recent error of any undelivered or failed row. */
  lastError: { kind: string; at: string; error: string } | null;
  /** Kinds with rows, for the filter. */
  kinds: string[];
}

export interface OutboxView {
  summary: OutboxSummary;
  rows: OutboxRow[];
}
