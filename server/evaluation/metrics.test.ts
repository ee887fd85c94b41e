import { describe, expect, it } from 'vitest';
import { atThreshold, rocAuc, weightedLogLoss, type Truth } from './metrics';

describe('rocAuc', () => {
  it('matches the textbook example (sklearn roc_auc_score docs: 0.75)', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
  });

  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
  });

  it('counts tied scores as half', () => {
    expect(rocAuc([0.5, 0.5], [0, 1])).toBe(0.5);
    // pairs: (0.2,0.5)=1, (0.2,0.9)=1, (0.5,0.5)=0.5, (0.5,0.9)=1 -> 3.5/4
    expect(rocAuc([0.2, 0.5, 0.5, 0.9], [0, 0, 1, 1])).toBeCloseTo(0.875, 12);
  });

  it('leaves out unknown truth and is null without both classes', () => {
    expect(rocAuc([0.9, 0.1, 0.5], [1, 0, null])).toBe(1);
    expect(rocAuc([0.3, 0.6], [1, 1])).toBeNull();
    expect(rocAuc([0.3, 0.6], [null, 0])).toBeNull();
  });
});

describe('weightedLogLoss', () => {
  const allHalf = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5];

  it('is ln 2 when every probability is 0.5, whatever the truth', () => {
    expect(weightedLogLoss([allHalf], [[1, 0, 1, 0, 0, 0]])).toBeCloseTo(Math.LN2, 12);
  });

  it('weights "any" twice (RSNA 2019)', () => {
    // any wrong-ish (p=0.1 for a positive), the five subtypes right-ish (p=0.1 for negatives).
    const p = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
    const y: Truth[] = [1, 0, 0, 0, 0, 0];
    const expected = (2 * -Math.log(0.1) + 5 * -Math.log(0.9)) / 7;
    expect(weightedLogLoss([p], [y])).toBeCloseTo(expected, 12);
  });

  it('leaves unknown labels out of both the loss and the weights', () => {
    const p = [0.8, 0.5, 0.5, 0.5, 0.5, 0.5];
    const y: Truth[] = [1, null, null, null, null, null];
    expect(weightedLogLoss([p], [y])).toBeCloseTo(-Math.log(0.8), 12);
    expect(weightedLogLoss([p], [[null, null, null, null, null, null]])).toBeNull();
  });

  it('stays finite for confident mistakes', () => {
    expect(Number.isFinite(weightedLogLoss([[0, 0, 0, 0, 0, 0]], [[1, 1, 1, 1, 1, 1]]))).toBe(true);
  });
});

describe('atThreshold', () => {
  it('calls a score at or above the threshold positive', () => {
    const c = atThreshold([0.2, 0.5, 0.7, 0.1, 0.6], [1, 1, 1, 0, 0], 0.5);
    expect(c).toMatchObject({ truePositives: 2, falseNegatives: 1, trueNegatives: 1, falsePositives: 1 });
    expect(c.sensitivity).toBeCloseTo(2 / 3, 12);
    expect(c.specificity).toBe(0.5);
  });

  it('reports null sensitivity without positives', () => {
    expect(atThreshold([0.2], [0], 0.5).sensitivity).toBeNull();
  });
});
