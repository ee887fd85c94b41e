import type { Aggregation } from '@/lib/study-aggregation';

export { AGGREGATIONS, type Aggregation } from '@/lib/study-aggregation';

/** Aggregates one label's slice probabilities into a study probability; 0 for no slices. */
export function aggregateStudy(sliceProbabilities: ArrayLike<number>, rule: Aggregation): number {
  const n = sliceProbabilities.length;
  if (n === 0) return 0;
  switch (rule) {
    case 'max': {
      let max = 0;
      for (let i = 0; i < n; i++) max = Math.max(max, sliceProbabilities[i]!);
      return max;
    }
    case 'top3-mean': {
      // Mean of the three highest: one noisy slice alone cannot make a study positive.
      const sorted = Array.from(sliceProbabilities).sort((a, b) => b - a);
      const k = Math.min(3, n);
      let sum = 0;
      for (let i = 0; i < k; i++) sum += sorted[i]!;
      return sum / k;
    }
    case 'noisy-or': {
      // P(at least one slice bleeds) if slices were independent (they are not: neighbours share a
      // bleed). Saturates towards 1 on long studies, which is why it is measured, not assumed.
      let logNone = 0;
      for (let i = 0; i < n; i++) logNone += Math.log1p(-Math.min(sliceProbabilities[i]!, 1 - 1e-12));
      return -Math.expm1(logNone);
    }
  }
}
