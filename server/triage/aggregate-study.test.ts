import { describe, expect, it } from 'vitest';
import { aggregateStudy } from './aggregate-study';

describe('aggregateStudy', () => {
  const slices = [0.1, 0.9, 0.2, 0.6, 0.3];

  it('max is the highest slice', () => {
    expect(aggregateStudy(slices, 'max')).toBe(0.9);
  });

  it('top3-mean averages the three highest slices, or all of fewer', () => {
    expect(aggregateStudy(slices, 'top3-mean')).toBeCloseTo((0.9 + 0.6 + 0.3) / 3, 12);
    expect(aggregateStudy([0.4, 0.8], 'top3-mean')).toBeCloseTo(0.6, 12);
  });

  it('noisy-or is one minus the product of the complements', () => {
    const expected = 1 - slices.reduce((acc, p) => acc * (1 - p), 1);
    expect(aggregateStudy(slices, 'noisy-or')).toBeCloseTo(expected, 12);
  });

  it('noisy-or grows with every suspicious slice and stays a probability', () => {
    const a = aggregateStudy(new Array(10).fill(0.2), 'noisy-or');
    const b = aggregateStudy(new Array(11).fill(0.2), 'noisy-or');
    expect(b).toBeGreaterThan(a);
    expect(aggregateStudy([1, 1], 'noisy-or')).toBeLessThanOrEqual(1);
  });

  it('a study without slices scores 0', () => {
    expect(aggregateStudy([], 'max')).toBe(0);
    expect(aggregateStudy([], 'noisy-or')).toBe(0);
  });
});
