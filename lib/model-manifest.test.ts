import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modelManifestSchema } from './model-manifest';

const base = JSON.parse(readFileSync('models/test-model/tiny-test-0.1.0.json', 'utf8')) as Record<string, unknown>;
const point = {
  threshold: 0.22,
  targetSensitivity: 0.95,
  sensitivity: 0.966,
  specificity: 0.595,
  positives: 29,
  negatives: 37,
  sensitivityCi: [0.889, 1],
  specificityCi: [0.425, 0.756],
  flaggedNormalFraction: 0.405,
  measuredOn: '66-patient out-of-fold validation',
};
const parse = (studyOperatingPoints: unknown) => modelManifestSchema.safeParse({ ...base, studyOperatingPoints });

describe('the manifest contract: study operating points', () => {
  it('accepts a manifest without them (older models) and one with "any" only or with subtypes', () => {
    expect(modelManifestSchema.safeParse(base).success).toBe(true);
    expect(parse({ any: point }).success).toBe(true);
    expect(parse({ any: point, epidural: { ...point, positives: 18 } }).success).toBe(true);
  });

  it('accepts the shipped model manifest', () => {
    const shipped = JSON.parse(readFileSync('models/ich-cnn-3.0.0.json', 'utf8')) as unknown;
    expect(modelManifestSchema.safeParse(shipped).success).toBe(true);
  });

  it('refuses points without "any", with missing figures, reversed intervals or values out of range', () => {
    expect(parse({ epidural: point }).success).toBe(false);
    const { measuredOn: _, ...noWhere } = point;
    expect(parse({ any: noWhere }).success).toBe(false);
    expect(parse({ any: { ...point, sensitivityCi: [1, 0.8] } }).success).toBe(false);
    expect(parse({ any: { ...point, threshold: 1.5 } }).success).toBe(false);
    expect(parse({ any: { ...point, negatives: 0 } }).success).toBe(false);
    expect(parse({ any: { ...point, specificityCi: [0.4] } }).success).toBe(false);
  });
});
