import type { OperationsAlarm, OperationsAlarmBands, OperationsWindow } from './operations';

const WINDOW_WORDS: Record<OperationsWindow, string> = { '1h': 'in the last hour', '24h': 'in the last 24 hours', '7d': 'in the last 7 days' };

const pct = (x: number) => `${Math.round(x * 100)} %`;
const seconds = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

/** What the alarms are judged on: the window's rates with their denominators. */
export interface AlarmInputs {
  window: OperationsWindow;
  /** Triaged studies with a result (flagged or not), the flag rate's denominator. */
  withResult: number;
  flagRate: number | null;
  /** Triaged studies, not analysable included. */
  triaged: number;
  notAnalysable: number;
  feedbackCount: number;
  disagreementRate: number | null;
  timeToTriageP95Ms: number | null;
}

/**
 * The operations alarms, in plain words: each rate outside its configured band, judged only once
 * enough studies stand behind it (a single flagged study is 100 % and means nothing).
 */
export function operationsAlarms(m: AlarmInputs, bands: OperationsAlarmBands): OperationsAlarm[] {
  const when = WINDOW_WORDS[m.window];
  const enough = (n: number) => n >= bands.minStudies;
  const alarms: OperationsAlarm[] = [];
  if (m.flagRate !== null && enough(m.withResult)) {
    const band = `expected ${Math.round(bands.flagRate.min * 100)}–${Math.round(bands.flagRate.max * 100)} %`;
    if (m.flagRate > bands.flagRate.max) {
      alarms.push({ kind: 'flag_rate_high', message: `flag rate ${pct(m.flagRate)} ${when} (${m.withResult} studies): the model may be miscalibrated for this scanner (${band})` });
    } else if (m.flagRate < bands.flagRate.min) {
      alarms.push({ kind: 'flag_rate_low', message: `flag rate ${pct(m.flagRate)} ${when} (${m.withResult} studies): bleeds may be missed, or what the scanners send has changed (${band})` });
    }
  }
  if (m.disagreementRate !== null && enough(m.feedbackCount) && m.disagreementRate > bands.disagreementMax) {
    alarms.push({
      kind: 'disagreement_high',
      message: `clinicians disagreed with ${pct(m.disagreementRate)} of results ${when} (${m.feedbackCount} reviews): check the model against recent reads (limit ${pct(bands.disagreementMax)})`,
    });
  }
  if (enough(m.triaged) && m.triaged > 0 && m.notAnalysable / m.triaged > bands.notAnalysableMax) {
    alarms.push({
      kind: 'not_analysable_high',
      message: `${pct(m.notAnalysable / m.triaged)} of studies not analysable ${when} (${m.notAnalysable} of ${m.triaged}): check the scanners' protocols and what they send (limit ${pct(bands.notAnalysableMax)})`,
    });
  }
  if (m.timeToTriageP95Ms !== null && enough(m.triaged) && m.timeToTriageP95Ms > bands.timeToTriageP95MaxMs) {
    alarms.push({
      kind: 'time_to_triage_high',
      message: `time to triage ${seconds(m.timeToTriageP95Ms)} (95th percentile) ${when}: analysis is falling behind, flagged studies reach the list late (limit ${seconds(bands.timeToTriageP95MaxMs)})`,
    });
  }
  return alarms;
}
