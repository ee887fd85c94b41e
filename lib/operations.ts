/**
 * What the operations page shows (GET /api/operations?window=…): how a site sees throughput,
 * speed and drift. Isomorphic: the server computes it, the page charts it.
 */
export const OPERATIONS_WINDOWS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
export type OperationsWindow = keyof typeof OPERATIONS_WINDOWS;

export interface Histogram {
  /** Bucket labels, in order. */
  buckets: string[];
  counts: number[];
}

export interface OperationsMetrics {
  window: OperationsWindow;
  from: string;
  to: string;
  /**
   * Where the figures really start: the window's start, or the first study the server holds when
   * that is later (a server started 6 minutes ago covers 6 minutes of a 24 h window). Rates per hour
   * divide by the time from here to `to`.
   */
  coveredFrom: string;
  /** Rates outside their configured band, in plain words; empty when all is well. */
  alarms: OperationsAlarm[];
  /** Studies received per time bucket (hours; 6-hour buckets for 7 days). */
  throughput: { at: string; received: number; triaged: number; flagged: number }[];
  /** Studies received and triaged in the window, and per hour of the time it covers (coveredFrom → to). */
  totals: { received: number; triaged: number; flagged: number; notAnalysable: number; studiesPerHour: number };
  /** Last slice received → study triaged, on the server (the browser adds its push latency). */
  timeToTriage: { p50Ms: number | null; p95Ms: number | null; histogram: Histogram };
  /** Now, whatever the window: active studies by status, and analysis jobs waiting or running. */
  queue: { receiving: number; analysing: number; triaged: number; inReview: number; jobsPending: number; jobsRunning: number };
  /** flagged / triaged with a result (not analysable excluded), 0..1, or null without studies. */
  flagRate: number | null;
  /** Study-level "any" probability of the studies triaged in the window. */
  scoreHistogram: Histogram;
  /** Clinician feedback on triaged results in the window. */
  feedback: { agree: number; disagree: number; disagreementRate: number | null };
  /** Inputs that could not be used in the window. */
  errors: { quarantined: number; quarantinedByCode: { code: string; count: number }[]; sliceDecodeFailures: number };
}

/** One operations alarm: what left its band, said as a person would. */
export interface OperationsAlarm {
  kind: 'flag_rate_high' | 'flag_rate_low' | 'disagreement_high' | 'not_analysable_high' | 'time_to_triage_high';
  message: string;
}

/** The bands the operations alarms hold rates to (OPS_* environment variables). Rates 0..1. */
export interface OperationsAlarmBands {
  flagRate: { min: number; max: number };
  disagreementMax: number;
  notAnalysableMax: number;
  timeToTriageP95MaxMs: number;
  /** Fewer studies (or reviews) than this behind a rate: no alarm on it. */
  minStudies: number;
}
