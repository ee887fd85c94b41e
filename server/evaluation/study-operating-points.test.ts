import { describe, expect, it } from 'vitest';
import { chooseStudyThreshold, studyOperatingPoint, type StudyOutcome } from './study-operating-points';

const study = (score: number, truth: 0 | 1): StudyOutcome => ({ score, truth, normal: truth === 0 });
// 20 positives at 0.05..1.00 and 10 negatives at 0.02..0.56.
const positives = Array.from({ length: 20 }, (_, i) => study((i + 1) / 20, 1));
const negatives = Array.from({ length: 10 }, (_, i) => study(0.02 + i * 0.06, 0));
const studies = [...positives, ...negatives];

describe('chooseStudyThreshold', () => {
  it('takes the largest threshold whose study sensitivity reaches the target', () => {
    // 95 % of 20 = 19 positives must be at or above: the 19th highest positive score is 0.10.
    expect(chooseStudyThreshold(studies, 0.95)).toBeCloseTo(0.1);
    expect(chooseStudyThreshold(studies, 1)).toBeCloseTo(0.05);
    // 0.9 x 20 = 18 exactly (no float creep to 19).
    expect(chooseStudyThreshold(studies, 0.9)).toBeCloseTo(0.15);
  });

  it('refuses a target outside (0, 1] and a set without positives', () => {
    expect(() => chooseStudyThreshold(studies, 0)).toThrow(/target sensitivity/);
    expect(() => chooseStudyThreshold(studies, 1.2)).toThrow(/target sensitivity/);
    expect(() => chooseStudyThreshold(negatives, 0.95)).toThrow(/no positive/);
  });
});

describe('studyOperatingPoint', () => {
  it('reports the figures at the chosen threshold with seeded bootstrap intervals around them', () => {
    const p = studyOperatingPoint(studies, 0.95, 'test set');
    expect(p.threshold).toBeCloseTo(0.1);
    expect(p.sensitivity).toBe(19 / 20);
    // Negatives at or above 0.10: 0.14, 0.20, ... 0.56 = 8 of 10 flagged.
    expect(p.specificity).toBeCloseTo(0.2);
    expect(p.flaggedNormalFraction).toBeCloseTo(0.8);
    expect(p).toMatchObject({ positives: 20, negatives: 10, targetSensitivity: 0.95, measuredOn: 'test set' });
    expect(p.sensitivityCi[0]).toBeLessThanOrEqual(p.sensitivity);
    expect(p.sensitivityCi[1]).toBeGreaterThanOrEqual(p.sensitivity);
    expect(p.specificityCi[0]).toBeLessThan(p.specificity);
    expect(p.specificityCi[1]).toBeGreaterThan(p.specificity);
    expect(studyOperatingPoint(studies, 0.95, 'test set').specificityCi).toEqual(p.specificityCi);
  });

  it('counts flagged normals among studies without any bleed, which for a subtype differ from its negatives', () => {
    const other: StudyOutcome = { score: 0.9, truth: 0, normal: false }; // another subtype's bleed
    const p = studyOperatingPoint([...studies, other], 0.95, 'x');
    expect(p.flaggedNormalFraction).toBeCloseTo(0.8);
    expect(p.specificity).toBeCloseTo(2 / 11);
  });
});
