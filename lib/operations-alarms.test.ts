import { describe, expect, it } from 'vitest';
import { operationsAlarms, type AlarmInputs } from './operations-alarms';
import type { OperationsAlarmBands } from './operations';

const BANDS: OperationsAlarmBands = { flagRate: { min: 0.02, max: 0.5 }, disagreementMax: 0.3, notAnalysableMax: 0.2, timeToTriageP95MaxMs: 60_000, minStudies: 5 };
const calm: AlarmInputs = { window: '1h', withResult: 40, flagRate: 0.15, triaged: 42, notAnalysable: 2, feedbackCount: 10, disagreementRate: 0.1, timeToTriageP95Ms: 8_000 };

describe('operations alarms', () => {
  it('stays quiet while every rate is inside its band', () => {
    expect(operationsAlarms(calm, BANDS)).toEqual([]);
  });

  it('says in words which rate left its band and what it may mean', () => {
    const alarms = operationsAlarms({ ...calm, flagRate: 1, disagreementRate: 0.6, notAnalysable: 21, triaged: 61, timeToTriageP95Ms: 180_000 }, BANDS);
    expect(alarms.map((a) => a.message)).toEqual([
      'flag rate 100 % in the last hour (40 studies): the model may be miscalibrated for this scanner (expected 2–50 %)',
      'clinicians disagreed with 60 % of results in the last hour (10 reviews): check the model against recent reads (limit 30 %)',
      "34 % of studies not analysable in the last hour (21 of 61): check the scanners' protocols and what they send (limit 20 %)",
      'time to triage 3 min (95th percentile) in the last hour: analysis is falling behind, flagged studies reach the list late (limit 60 s)',
    ]);
  });

  it('alarms on a flag rate below its band too', () => {
    expect(operationsAlarms({ ...calm, window: '24h', flagRate: 0 }, BANDS).map((a) => a.kind)).toEqual(['flag_rate_low']);
  });

  it('judges nothing on too few studies or reviews', () => {
    expect(operationsAlarms({ ...calm, withResult: 4, flagRate: 1, feedbackCount: 1, disagreementRate: 1, triaged: 4, notAnalysable: 4, timeToTriageP95Ms: 600_000 }, BANDS)).toEqual([]);
  });
});
