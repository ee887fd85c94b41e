import type { StudyOperatingPoint } from '@/lib/model-manifest';
import { seededRandom } from './seeded-random';

/** One study (one patient) as the study-level decision sees it. */
export interface StudyOutcome {
  /** Aggregated study probability for the label. */
  score: number;
  /** 1 when the study has this label, 0 when it does not. */
  truth: 0 | 1;
  /** The study has no bleed at all (truth of "any" is 0): counted in flaggedNormalFraction. */
  normal: boolean;
}

/** How the bootstrap intervals are drawn: over patients (one study each), percentile, seeded. */
export interface BootstrapOptions {
  resamples?: number;
  seed?: number;
}

export const DEFAULT_RESAMPLES = 2000;
export const DEFAULT_SEED = 20261201;

/**
 * The largest threshold whose study sensitivity (score >= threshold) reaches the target: the k-th
 * highest positive score, k = ceil(target x positives). Largest, so the fewest normal studies are
 * flagged for that sensitivity. Throws when there is no positive study.
 */
export function chooseStudyThreshold(studies: readonly StudyOutcome[], targetSensitivity: number): number {
  if (!(targetSensitivity > 0 && targetSensitivity <= 1)) throw new Error(`target sensitivity must be in (0, 1], got ${targetSensitivity}`);
  const positives = studies.filter((s) => s.truth === 1).map((s) => s.score).sort((a, b) => b - a);
  if (positives.length === 0) throw new Error('no positive study: a sensitivity cannot be measured');
  // The small slack keeps 0.95 x 20 = 19 from becoming 19.000000000000004 -> 20.
  const k = Math.max(1, Math.ceil(targetSensitivity * positives.length - 1e-9));
  return positives[k - 1]!;
}

interface Counts {
  sensitivity: number | null;
  specificity: number | null;
  flaggedNormalFraction: number | null;
}

function countAt(studies: readonly StudyOutcome[], idx: ArrayLike<number>, threshold: number): Counts {
  let tp = 0;
  let p = 0;
  let tn = 0;
  let n = 0;
  let normals = 0;
  let flaggedNormals = 0;
  for (let k = 0; k < idx.length; k++) {
    const s = studies[idx[k]!]!;
    const called = s.score >= threshold;
    if (s.truth === 1) {
      p++;
      if (called) tp++;
    } else {
      n++;
      if (!called) tn++;
    }
    if (s.normal) {
      normals++;
      if (called) flaggedNormals++;
    }
  }
  return { sensitivity: p ? tp / p : null, specificity: n ? tn / n : null, flaggedNormalFraction: normals ? flaggedNormals / normals : null };
}

/** The q-quantile (0..1) of sorted values, linear between order statistics (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile of nothing');
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Percentile bootstrap 95 % interval of a statistic over resampled studies (resamples where it is undefined are left out). */
export function bootstrapInterval(
  count: number,
  statistic: (idx: Uint32Array) => number | null,
  options: BootstrapOptions = {},
): [number, number] {
  const random = seededRandom(options.seed ?? DEFAULT_SEED);
  const values: number[] = [];
  const idx = new Uint32Array(count);
  for (let r = 0; r < (options.resamples ?? DEFAULT_RESAMPLES); r++) {
    for (let i = 0; i < count; i++) idx[i] = Math.floor(random() * count);
    const v = statistic(idx);
    if (v !== null) values.push(v);
  }
  values.sort((a, b) => a - b);
  return [quantile(values, 0.025), quantile(values, 0.975)];
}

/**
 * The study operating point for a target sensitivity, with the figures at that threshold and their
 * bootstrap intervals. The threshold is held fixed across resamples: the intervals say how precise
 * the figures are at this point, not how the choice itself would move (on the same data the chosen
 * sensitivity is, by construction, at least the target: an optimistic estimate).
 */
export function studyOperatingPoint(
  studies: readonly StudyOutcome[],
  targetSensitivity: number,
  measuredOn: string,
  options: BootstrapOptions = {},
): StudyOperatingPoint {
  const threshold = chooseStudyThreshold(studies, targetSensitivity);
  const all = Uint32Array.from(studies.keys());
  const at = countAt(studies, all, threshold);
  const positives = studies.filter((s) => s.truth === 1).length;
  const negatives = studies.length - positives;
  if (negatives === 0) throw new Error('no negative study: a specificity cannot be measured');
  return {
    threshold,
    targetSensitivity,
    sensitivity: at.sensitivity!,
    specificity: at.specificity!,
    positives,
    negatives,
    // The same seed for both: the two intervals come from the same resampled patient sets.
    sensitivityCi: bootstrapInterval(studies.length, (idx) => countAt(studies, idx, threshold).sensitivity, options),
    specificityCi: bootstrapInterval(studies.length, (idx) => countAt(studies, idx, threshold).specificity, options),
    flaggedNormalFraction: at.flaggedNormalFraction ?? 1 - at.specificity!,
    measuredOn,
  };
}
