import { describe, expect, it } from 'vitest';
import { decideStudy, flagReason, manifestPoints, parseStudyDecision, studyDecisionOf, type PointsInForce } from './study-decision';

const any = { threshold: 0.41, targetSensitivity: 0.95, flaggedNormalFraction: 0.38, measuredOn: 'validation' };
const inForce: PointsInForce = { source: 'manifest', model: 'm@1.0.0', points: { any, epidural: { threshold: 0.3 } } };
const probs = (a: number, epidural: number, subdural = 0.99) => ({ any: a, epidural, intraparenchymal: 0.9, intraventricular: 0.9, subarachnoid: 0.9, subdural });

describe('decideStudy', () => {
  it('flags by the study-level "any" point and suspects only subtypes at or above their own study point', () => {
    expect(decideStudy(probs(0.64, 0.35), inForce, 12)).toEqual({
      flagged: true,
      suspected: { epidural: true, intraparenchymal: false, intraventricular: false, subarachnoid: false, subdural: false },
    });
  });

  it('suspects nothing on a study that is not flagged, however high a subtype', () => {
    const d = decideStudy(probs(0.2, 0.99), inForce, 12);
    expect(d.flagged).toBe(false);
    expect(Object.values(d.suspected).some(Boolean)).toBe(false);
  });

  it('never flags a study with no scored slice', () => {
    expect(decideStudy(probs(0.9, 0.9), inForce, 0).flagged).toBe(false);
  });
});

describe('manifestPoints', () => {
  const manifest = { name: 'm', version: '1.0.0', operatingPoints: { any: { threshold: 0.03 } } } as Parameters<typeof manifestPoints>[0];
  it('falls back to the slice-level "any" point, without subtypes, when the manifest has no study points', () => {
    expect(manifestPoints(manifest)).toEqual({ source: 'slice-level', model: 'm@1.0.0', points: { any: { threshold: 0.03 } } });
  });
  it('uses the manifest study points when present', () => {
    expect(manifestPoints({ ...manifest, studyOperatingPoints: inForce.points as never }).source).toBe('manifest');
  });
});

describe('flagReason', () => {
  const decision = studyDecisionOf(inForce);
  it('says in one sentence why a study is flagged, with the point, its target and what it costs', () => {
    expect(flagReason(0.64, decision)).toBe('any 0.64 ≥ 0.41, the point chosen for 95 % sensitivity on validation, where it flagged 38 % of normal studies');
    expect(flagReason(0.64, decision, 'short')).toBe('any 0.64 ≥ 0.41 (95 % sensitivity point)');
  });
  it('says why a study is not flagged', () => {
    expect(flagReason(0.12, decision)).toBe('any 0.12 < 0.41, below the point chosen for 95 % sensitivity on validation, where it flagged 38 % of normal studies');
  });
  it('prints enough digits that the sign is never contradicted by the numbers', () => {
    expect(flagReason(0.4081, { ...decision, threshold: 0.4089 }, 'short')).toBe('any 0.408 < 0.409 (95 % sensitivity point)');
  });
  it('names a site calibration, an admin point and the slice-level fallback', () => {
    expect(flagReason(0.5, { ...decision, source: 'site', measuredOn: '40 labelled studies of this site' })).toMatch(/^any 0.50 ≥ 0.41, this site's point chosen for 95 % sensitivity on 40 labelled studies of this site/);
    expect(flagReason(0.5, { threshold: 0.3, source: 'admin', setBy: 'alice' })).toBe('any 0.50 ≥ 0.30, the point alice set, without measured figures');
    expect(flagReason(0.5, { threshold: 0.03, source: 'slice-level' }, 'short')).toBe('any 0.50 ≥ 0.03 (slice-level point)');
    expect(flagReason(null, decision)).toBe('not scored');
  });
  it('round-trips the stored record and ignores an unreadable one', () => {
    expect(parseStudyDecision(JSON.stringify(decision))).toEqual(decision);
    expect(parseStudyDecision('{bad')).toBeNull();
    expect(parseStudyDecision(JSON.stringify({ threshold: 2, source: 'manifest' }))).toBeNull();
    expect(parseStudyDecision(null)).toBeNull();
  });
});
