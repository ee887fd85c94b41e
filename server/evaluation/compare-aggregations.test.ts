import { describe, expect, it } from 'vitest';
import { compareAggregations, type PatientSlices } from './compare-aggregations';
import { nestedRuleScores, ruleFeatures } from './logistic-rule';
import { rocAuc } from './metrics';
import { seededRandom } from './seeded-random';

function patients(n: number, seed: number): PatientSlices[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const truth = (i % 2) as 0 | 1;
    const slices = Array.from({ length: 20 }, () => random() * 0.3);
    // A bleed shows on a few neighbouring slices; a normal study has one noisy slice.
    if (truth) for (let k = 8; k < 11; k++) slices[k] = 0.3 + random() * 0.6;
    else slices[5] = random() * 0.8;
    return { patient: `p${i}`, slices, truth };
  });
}

describe('compareAggregations', () => {
  it('measures every rule out of fold, patient-level, and keeps max unless a shipped rule clearly beats it', () => {
    const c = compareAggregations(patients(60, 3), { resamples: 300 });
    expect(c.results.map((r) => r.rule)).toEqual(['max', 'top2-mean', 'top3-mean', 'noisy-or', 'mean', 'logistic']);
    expect(c.patients).toBe(60);
    expect(c.positives).toBe(30);
    // Here top-3 mean reads "several slices" better than max (one noisy slice fools max).
    const top3 = c.results.find((r) => r.rule === 'top3-mean')!;
    expect(top3.auc!).toBeGreaterThan(c.results[0]!.auc!);
    expect(top3.differenceFromMaxCi![0]).toBeGreaterThan(0);
    expect(c.chosen).toBe('top3-mean');
    expect(c.why).toMatch(/beats max/);
    expect(c.logistic.coefficients).toHaveLength(4);
  });

  it('keeps max when the differences are noise', () => {
    const flat = patients(20, 5).map((p) => ({ ...p, slices: p.slices.map((v) => (p.truth ? v + 0.05 : v)) }));
    const c = compareAggregations(flat.slice(0, 12), { resamples: 200 });
    expect(c.chosen).toBe('max');
    expect(c.why).toMatch(/noise of 12 patients/);
  });

  it('says so when max itself ranks best, instead of comparing max with itself', () => {
    // One slice carries the bleed: max separates perfectly, the means dilute it.
    const random = seededRandom(8);
    const sharp: PatientSlices[] = Array.from({ length: 30 }, (_, i) => {
      const truth = (i % 2) as 0 | 1;
      const slices = Array.from({ length: 20 }, () => random() * 0.3);
      if (truth) slices[10] = 0.5 + random() * 0.5;
      return { patient: `p${i}`, slices, truth };
    });
    const c = compareAggregations(sharp, { resamples: 200 });
    expect(c.chosen).toBe('max');
    expect(c.why).toMatch(/^max ranks best \(AUC 1\.000\)/);
    expect(c.why).not.toMatch(/vs max/);
  });
});

describe('nestedRuleScores', () => {
  it('scores each patient by a rule fitted without it: a label-only feature pattern cannot leak', () => {
    // Pure noise: an in-sample fit would rank well above 0.5; out of fold it cannot.
    const random = seededRandom(11);
    const x = Array.from({ length: 40 }, () => ruleFeatures(Array.from({ length: 10 }, () => random())));
    const y = x.map((_, i) => (i % 2) as 0 | 1);
    const auc = rocAuc(nestedRuleScores(x, y), y)!;
    expect(auc).toBeLessThan(0.75);
  });
});
