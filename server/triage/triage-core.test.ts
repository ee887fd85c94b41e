import { describe, expect, it } from 'vitest';
import type { LabelRecord } from '@/lib/labels';
import type { PointsInForce } from '@/lib/study-decision';
import { comparePriority, computePriority, PRIORITY_TIERS, type PriorityInput } from './priority';
import { scoreStudy } from './score-study';
import { canTransition, isClosed } from './study-status';

const rec = (any: number, subdural = 0): LabelRecord<number> => ({
  any,
  epidural: 0,
  intraparenchymal: 0,
  intraventricular: 0,
  subarachnoid: 0,
  subdural,
});
const inForce: PointsInForce = { source: 'manifest', model: 'm@1', points: { any: { threshold: 0.4 }, subdural: { threshold: 0.5 } } };

describe('scoreStudy', () => {
  it('aggregates per label, flags by the study-level point, suspects subtypes above their own point, and finds the top slice', () => {
    const s = scoreStudy([rec(0.1), rec(0.45, 0.6), rec(0.3, 0.2)], 'max', inForce);
    expect(s.probabilities.any).toBe(0.45);
    expect(s.flags).toMatchObject({ any: true, subdural: true, epidural: false });
    expect(s.decision).toEqual({ threshold: 0.4, source: 'manifest', subtypeThresholds: { subdural: 0.5 } });
    expect(s.flagged).toBe(true);
    expect(s.topSlice.any).toBe(1);
    expect(s.topSlice.subdural).toBe(1);
  });

  it('uses the given aggregation and never flags an empty study', () => {
    expect(scoreStudy([rec(0.9), rec(0.1)], 'top3-mean', inForce).probabilities.any).toBeCloseTo(0.5, 12);
    // A subtype above its point is not suspected on a study that is not flagged.
    expect(scoreStudy([rec(0.3, 0.9)], 'max', inForce).flags).toMatchObject({ any: false, subdural: false });
    const empty = scoreStudy([], 'max', inForce);
    expect(empty.flagged).toBe(false);
    expect(empty.topSlice.any).toBe(-1);
  });
});

describe('computePriority', () => {
  const now = new Date('2026-11-23T03:00:00Z');
  const base: PriorityInput = {
    status: 'triaged',
    outcome: 'not_flagged',
    flagged: false,
    anyProbability: 0.2,
    decision: { threshold: 0.4, targetSensitivity: 0.95, source: 'manifest' },
    receivedAt: new Date(now.getTime() - 5 * 60_000),
  };
  const policy = { agingLimitMs: 30 * 60_000 };

  it('puts flagged studies first and says why', () => {
    const p = computePriority({ ...base, outcome: 'flagged', flagged: true, anyProbability: 0.93 }, now, policy);
    expect(p.tier).toBe(PRIORITY_TIERS.flagged);
    expect(p.reasons[0]).toBe('flagged: any 0.93 ≥ 0.40 (95 % sensitivity point)');
  });

  it('moves a study that waited past the aging limit up, unless someone is reviewing it', () => {
    const old = { ...base, receivedAt: new Date(now.getTime() - 45 * 60_000) };
    expect(computePriority(old, now, policy)).toMatchObject({ tier: PRIORITY_TIERS.needsEyes });
    expect(computePriority(old, now, policy).reasons[0]).toMatch(/waiting 45 min, past the 30 min aging limit/);
    expect(computePriority({ ...old, status: 'in_review' }, now, policy).tier).toBe(PRIORITY_TIERS.ranked);
  });

  it('lifts not-analysable studies with their reason and drops closed ones', () => {
    const na = computePriority({ ...base, outcome: 'not_analysable', anyProbability: null, notAnalysableReason: 'series is sagittal' }, now, policy);
    expect(na.tier).toBe(PRIORITY_TIERS.needsEyes);
    expect(na.reasons[0]).toBe('not analysable: series is sagittal');
    expect(computePriority({ ...base, status: 'reported' }, now, policy).tier).toBe(PRIORITY_TIERS.closed);
  });

  it('keeps an escalated study in its own tier above flagged while open, saying who put it there', () => {
    const escalated = computePriority({ ...base, escalatedAt: new Date(now.getTime() - 3 * 60_000) }, now, policy);
    expect(escalated).toEqual({ tier: PRIORITY_TIERS.escalated, reasons: ['escalated by a clinician 3 min ago', 'any 0.20 < 0.40 (95 % sensitivity point)'] });
    expect(PRIORITY_TIERS.escalated).toBeLessThan(PRIORITY_TIERS.flagged);
    const na = computePriority({ ...base, outcome: 'not_analysable', anyProbability: null, notAnalysableReason: 'series is sagittal', escalatedAt: now }, now, policy);
    expect(na).toEqual({ tier: PRIORITY_TIERS.escalated, reasons: ['escalated by a clinician 0 min ago', 'not analysable: series is sagittal'] });
    expect(computePriority({ ...base, escalatedAt: now, status: 'dismissed' }, now, policy).tier).toBe(PRIORITY_TIERS.closed);
  });

  it('orders by tier, then any probability, then arrival', () => {
    const t = (m: number) => new Date(now.getTime() - m * 60_000);
    const studies = [
      { id: 'low-old', tier: 2, anyProbability: 0.1, receivedAt: t(20) },
      { id: 'flag-low', tier: 0, anyProbability: 0.5, receivedAt: t(1) },
      { id: 'high', tier: 2, anyProbability: 0.3, receivedAt: t(2) },
      { id: 'unscored', tier: 2, anyProbability: null, receivedAt: t(30) },
      { id: 'flag-high', tier: 0, anyProbability: 0.9, receivedAt: t(1) },
      { id: 'low-new', tier: 2, anyProbability: 0.1, receivedAt: t(3) },
      { id: 'aged', tier: 1, anyProbability: 0.05, receivedAt: t(50) },
    ];
    expect(studies.sort(comparePriority).map((s) => s.id)).toEqual(['flag-high', 'flag-low', 'aged', 'high', 'low-old', 'low-new', 'unscored']);
  });
});

describe('study lifecycle', () => {
  it('allows the documented path and refuses impossible jumps', () => {
    expect(canTransition('receiving', 'analysing')).toBe(true);
    expect(canTransition('analysing', 'triaged')).toBe(true);
    expect(canTransition('triaged', 'in_review')).toBe(true);
    expect(canTransition('in_review', 'reported')).toBe(true);
    expect(canTransition('in_review', 'receiving')).toBe(true); // a late slice re-opens it
    expect(canTransition('receiving', 'reported')).toBe(false);
    expect(canTransition('reported', 'triaged')).toBe(false);
    expect(isClosed('dismissed')).toBe(true);
  });
});
