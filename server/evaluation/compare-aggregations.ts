import { AGGREGATIONS, aggregateStudy, type Aggregation } from '@/server/triage/aggregate-study';
import { fitRule, choosePenalty, nestedRuleScores, ruleFeatures, type LogisticRule } from './logistic-rule';
import { rocAuc } from './metrics';
import { bootstrapInterval, type BootstrapOptions } from './study-operating-points';

/** One patient's slice scores for one label (out of fold), in slice order, and its study truth. */
export interface PatientSlices {
  patient: string;
  slices: readonly number[];
  truth: 0 | 1;
}

/** The candidate rules: the shipped ones plus the ones measured only here. */
export const CANDIDATE_RULES = ['max', 'top2-mean', 'top3-mean', 'noisy-or', 'mean', 'logistic'] as const;
export type CandidateRule = (typeof CANDIDATE_RULES)[number];

export interface RuleResult {
  rule: CandidateRule;
  /** Patient-level study AUC, out of fold (the learned rule: nested cross-validation). */
  auc: number | null;
  /** Paired bootstrap 95 % interval of (this rule's AUC - max's AUC) over patients. */
  differenceFromMaxCi: [number, number] | null;
  /** The server can run it (lib/study-aggregation.ts AGGREGATIONS). */
  shipped: boolean;
}

export interface AggregationComparison {
  patients: number;
  positives: number;
  results: RuleResult[];
  /** The rule kept, and why in one sentence. */
  chosen: Aggregation;
  why: string;
  /** The learned rule fitted on every patient (what a manifest would carry if it were chosen). */
  logistic: LogisticRule;
}

const topMean = (slices: readonly number[], k: number) => {
  const sorted = [...slices].sort((a, b) => b - a).slice(0, k);
  return sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : 0;
};

/** Study scores of every patient under a fixed (not learned) rule. */
export function fixedRuleScores(patients: readonly PatientSlices[], rule: Exclude<CandidateRule, 'logistic'>): number[] {
  return patients.map((p) => {
    if ((AGGREGATIONS as readonly string[]).includes(rule)) return aggregateStudy(p.slices, rule as Aggregation);
    if (rule === 'top2-mean') return topMean(p.slices, 2);
    return p.slices.length ? p.slices.reduce((a, b) => a + b, 0) / p.slices.length : 0;
  });
}

/**
 * Compares the aggregation rules on patient-level out-of-fold scores. Keeps max unless a shipped
 * rule beats it with a paired bootstrap interval of the AUC difference entirely above 0: on a few
 * dozen patients smaller differences are noise, and max is the simplest rule to explain.
 */
export function compareAggregations(patients: readonly PatientSlices[], options: BootstrapOptions & { seed?: number } = {}): AggregationComparison {
  const y = patients.map((p) => p.truth);
  const x = patients.map((p) => ruleFeatures(p.slices));
  const scores = new Map<CandidateRule, number[]>();
  for (const rule of CANDIDATE_RULES) {
    scores.set(rule, rule === 'logistic' ? nestedRuleScores(x, y, { seed: options.seed ?? 1 }) : fixedRuleScores(patients, rule));
  }
  const pick = (s: number[], idx: Uint32Array) => Array.from(idx, (i) => s[i]!);
  const maxScores = scores.get('max')!;
  const results = CANDIDATE_RULES.map((rule): RuleResult => {
    const s = scores.get(rule)!;
    const diff =
      rule === 'max'
        ? null
        : bootstrapInterval(patients.length, (idx) => {
            const ty = Array.from(idx, (i) => y[i]!);
            const a = rocAuc(pick(s, idx), ty);
            const b = rocAuc(pick(maxScores, idx), ty);
            return a === null || b === null ? null : a - b;
          }, options);
    return { rule, auc: rocAuc(s, y), differenceFromMaxCi: diff, shipped: (AGGREGATIONS as readonly string[]).includes(rule) };
  });
  const better = results
    .filter((r) => r.shipped && r.differenceFromMaxCi && r.differenceFromMaxCi[0] > 0)
    .sort((a, b) => (b.auc ?? 0) - (a.auc ?? 0))[0];
  const maxAuc = results[0]!.auc;
  const best = [...results].sort((a, b) => (b.auc ?? 0) - (a.auc ?? 0))[0]!;
  const why = better
    ? `${better.rule} beats max (AUC ${better.auc?.toFixed(3)} vs ${maxAuc?.toFixed(3)}, difference interval above 0)`
    : best.rule === 'max'
      ? `max ranks best (AUC ${maxAuc?.toFixed(3)}); no other rule's difference interval lies above 0`
      : `no rule beats max by more than the noise of ${patients.length} patients (best: ${best.rule} AUC ${best.auc?.toFixed(3)} vs max ${maxAuc?.toFixed(3)}; every difference interval includes 0 or is below it)`;
  return {
    patients: patients.length,
    positives: y.filter((v) => v === 1).length,
    results,
    chosen: (better?.rule as Aggregation | undefined) ?? 'max',
    why,
    logistic: fitRule(x, y, choosePenalty(x, y, 4, (options.seed ?? 1) + 100)),
  };
}
