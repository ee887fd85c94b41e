import { rocAuc } from './metrics';
import { seededRandom } from './seeded-random';

/** The features of a study's slice scores that the learned rule reads. */
export const RULE_FEATURES = ['max', 'top3Mean', 'fractionAbove0.5', 'logSlices'] as const;

/** Feature vector of one study's slice probabilities (one label), in RULE_FEATURES order. */
export function ruleFeatures(slices: readonly number[]): number[] {
  const sorted = [...slices].sort((a, b) => b - a);
  const n = sorted.length;
  const top3 = sorted.slice(0, 3);
  return [
    sorted[0] ?? 0,
    top3.length ? top3.reduce((a, b) => a + b, 0) / top3.length : 0,
    n ? sorted.filter((p) => p > 0.5).length / n : 0,
    Math.log(Math.max(1, n)),
  ];
}

/** A fitted L2-regularised logistic regression on standardised features. */
export interface LogisticRule {
  features: readonly string[];
  mean: number[];
  std: number[];
  coefficients: number[];
  intercept: number;
  l2: number;
}

/** The rule's probability for one feature vector. */
export function applyRule(rule: LogisticRule, x: readonly number[]): number {
  let z = rule.intercept;
  for (let j = 0; j < x.length; j++) z += rule.coefficients[j]! * ((x[j]! - rule.mean[j]!) / rule.std[j]!);
  return 1 / (1 + Math.exp(-z));
}

/** Solves A x = b (small, symmetric positive definite) by Gaussian elimination with pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

/** Fits the rule by Newton's method (the intercept is not penalised). */
export function fitRule(x: readonly number[][], y: readonly (0 | 1)[], l2: number): LogisticRule {
  const d = x[0]?.length ?? 0;
  const mean = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j]!, 0) / x.length);
  const std = Array.from({ length: d }, (_, j) => Math.sqrt(x.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / x.length) || 1);
  const z = x.map((r) => [1, ...r.map((v, j) => (v - mean[j]!) / std[j]!)]);
  let w = new Array<number>(d + 1).fill(0);
  for (let iter = 0; iter < 50; iter++) {
    const grad = new Array<number>(d + 1).fill(0);
    const hess = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    z.forEach((row, i) => {
      const p = 1 / (1 + Math.exp(-row.reduce((s, v, j) => s + v * w[j]!, 0)));
      const weight = Math.max(p * (1 - p), 1e-9);
      for (let j = 0; j <= d; j++) {
        grad[j]! += (p - y[i]!) * row[j]!;
        for (let k = 0; k <= d; k++) hess[j]![k]! += weight * row[j]! * row[k]!;
      }
    });
    for (let j = 1; j <= d; j++) {
      grad[j]! += l2 * w[j]!;
      hess[j]![j]! += l2;
    }
    const step = solve(hess, grad);
    w = w.map((v, j) => v - step[j]!);
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  return { features: RULE_FEATURES, mean, std, coefficients: w.slice(1), intercept: w[0]!, l2 };
}

/** Stratified fold of each item (positives and negatives dealt round-robin after a seeded shuffle). */
export function stratifiedFolds(y: readonly (0 | 1)[], folds: number, seed: number): number[] {
  const random = seededRandom(seed);
  const out = new Array<number>(y.length).fill(0);
  for (const cls of [0, 1] as const) {
    const idx = y.flatMap((v, i) => (v === cls ? [i] : []));
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    idx.forEach((i, k) => (out[i] = k % folds));
  }
  return out;
}

export const L2_GRID = [0.01, 0.1, 1, 10] as const;

/** Cross-validated scores of a rule fitted with a fixed penalty (every score out of fold). */
function crossValidatedScores(x: readonly number[][], y: readonly (0 | 1)[], folds: number, seed: number, l2: number): number[] {
  const fold = stratifiedFolds(y, folds, seed);
  const scores = new Array<number>(y.length).fill(0);
  for (let f = 0; f < folds; f++) {
    const train = y.flatMap((_, i) => (fold[i] !== f ? [i] : []));
    if (train.length === 0) continue;
    const rule = fitRule(train.map((i) => x[i]!), train.map((i) => y[i]!), l2);
    y.forEach((_, i) => {
      if (fold[i] === f) scores[i] = applyRule(rule, x[i]!);
    });
  }
  return scores;
}

/** Chooses the penalty by inner cross-validated AUC (ties: the stronger penalty). */
export function choosePenalty(x: readonly number[][], y: readonly (0 | 1)[], folds: number, seed: number): number {
  let best: number = L2_GRID[L2_GRID.length - 1]!;
  let bestAuc = -1;
  for (const l2 of [...L2_GRID].reverse()) {
    const auc = rocAuc(crossValidatedScores(x, y, folds, seed, l2), y) ?? 0;
    if (auc > bestAuc + 1e-12) {
      bestAuc = auc;
      best = l2;
    }
  }
  return best;
}

/**
 * Nested patient-level cross-validation: each outer fold's rule is fitted (penalty chosen by an
 * inner cross-validation on the outer training patients only) and scores the held-out patients, so
 * every returned score is out of fold and the AUC measured on them is honest.
 */
export function nestedRuleScores(x: readonly number[][], y: readonly (0 | 1)[], options: { outerFolds?: number; innerFolds?: number; seed?: number } = {}): number[] {
  const outer = options.outerFolds ?? 5;
  const inner = options.innerFolds ?? 4;
  const seed = options.seed ?? 1;
  const fold = stratifiedFolds(y, outer, seed);
  const scores = new Array<number>(y.length).fill(0);
  for (let f = 0; f < outer; f++) {
    const train = y.flatMap((_, i) => (fold[i] !== f ? [i] : []));
    const tx = train.map((i) => x[i]!);
    const ty = train.map((i) => y[i]!);
    const rule = fitRule(tx, ty, choosePenalty(tx, ty, inner, seed + 1 + f));
    y.forEach((_, i) => {
      if (fold[i] === f) scores[i] = applyRule(rule, x[i]!);
    });
  }
  return scores;
}
