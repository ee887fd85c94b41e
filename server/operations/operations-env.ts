import { z } from 'zod';
import type { OperationsAlarmBands } from '@/lib/operations';

const percent = z.coerce.number().min(0).max(100);

/** The operations alarms' bands, merged into the server's environment schema (server/config). */
export const OPERATIONS_ENV = {
  /** Expected share of studies flagged, `MIN-MAX` percent; outside it the operations page raises an alarm. */
  OPS_FLAG_RATE_BAND_PCT: z
    .string()
    .regex(/^\d{1,3}(\.\d+)?-\d{1,3}(\.\d+)?$/, 'MIN-MAX in percent, e.g. 2-50')
    .default('2-50'),
  /** Clinician disagreement above this percent raises an alarm. */
  OPS_DISAGREEMENT_MAX_PCT: percent.default(30),
  /** Not-analysable studies above this percent of triaged ones raise an alarm. */
  OPS_NOT_ANALYSABLE_MAX_PCT: percent.default(20),
  /** 95th percentile time to triage (seconds) above which an alarm is raised. */
  OPS_TRIAGE_P95_MAX_S: z.coerce.number().positive().max(86_400).default(60),
  /** Fewer studies (or reviews) than this behind a rate: no alarm on it. */
  OPS_ALARM_MIN_STUDIES: z.coerce.number().int().min(1).max(100_000).default(5),
};

type OperationsEnv = z.output<z.ZodObject<typeof OPERATIONS_ENV>>;

/** The bands, or the problems (`VARIABLE: what is wrong`) that stop the server. */
export function readOperationsAlarmBands(e: OperationsEnv): { bands: OperationsAlarmBands; problems: string[] } {
  const [min = 0, max = 100] = e.OPS_FLAG_RATE_BAND_PCT.split('-').map(Number);
  const problems = min > max || max > 100 ? [`OPS_FLAG_RATE_BAND_PCT: MIN must not exceed MAX, both 0 to 100 (got ${e.OPS_FLAG_RATE_BAND_PCT})`] : [];
  return {
    bands: {
      flagRate: { min: min / 100, max: max / 100 },
      disagreementMax: e.OPS_DISAGREEMENT_MAX_PCT / 100,
      notAnalysableMax: e.OPS_NOT_ANALYSABLE_MAX_PCT / 100,
      timeToTriageP95MaxMs: Math.round(e.OPS_TRIAGE_P95_MAX_S * 1000),
      minStudies: e.OPS_ALARM_MIN_STUDIES,
    },
    problems,
  };
}

/** The bands with every variable at its default (tests, and callers without a config). */
export const DEFAULT_ALARM_BANDS: OperationsAlarmBands = readOperationsAlarmBands(z.object(OPERATIONS_ENV).parse({})).bands;
