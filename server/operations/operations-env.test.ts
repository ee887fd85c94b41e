import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OPERATIONS_ENV, readOperationsAlarmBands } from './operations-env';

const read = (env: Record<string, string>) => readOperationsAlarmBands(z.object(OPERATIONS_ENV).parse(env));

describe('operations alarm bands from the environment', () => {
  it('has defaults a site can start with', () => {
    expect(read({})).toEqual({
      bands: { flagRate: { min: 0.02, max: 0.5 }, disagreementMax: 0.3, notAnalysableMax: 0.2, timeToTriageP95MaxMs: 60_000, minStudies: 5 },
      problems: [],
    });
  });

  it('reads each variable', () => {
    const { bands } = read({ OPS_FLAG_RATE_BAND_PCT: '5-35', OPS_DISAGREEMENT_MAX_PCT: '15', OPS_NOT_ANALYSABLE_MAX_PCT: '10', OPS_TRIAGE_P95_MAX_S: '30', OPS_ALARM_MIN_STUDIES: '20' });
    expect(bands).toEqual({ flagRate: { min: 0.05, max: 0.35 }, disagreementMax: 0.15, notAnalysableMax: 0.1, timeToTriageP95MaxMs: 30_000, minStudies: 20 });
  });

  it('refuses a band that is not MIN-MAX in 0..100', () => {
    expect(() => z.object(OPERATIONS_ENV).parse({ OPS_FLAG_RATE_BAND_PCT: '50' })).toThrow(/MIN-MAX/);
    expect(read({ OPS_FLAG_RATE_BAND_PCT: '60-10' }).problems[0]).toMatch(/^OPS_FLAG_RATE_BAND_PCT: MIN must not exceed MAX/);
    expect(read({ OPS_FLAG_RATE_BAND_PCT: '10-150' }).problems).toHaveLength(1);
    expect(() => z.object(OPERATIONS_ENV).parse({ OPS_DISAGREEMENT_MAX_PCT: '120' })).toThrow();
  });
});
