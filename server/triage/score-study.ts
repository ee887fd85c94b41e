import { LABELS, type Label, type LabelRecord } from '@/lib/labels';
import type { ModelManifest } from '@/lib/model-manifest';
import { aggregateStudy, type Aggregation } from './aggregate-study';

export interface StudyScore {
  probabilities: LabelRecord<number>;
  /** Label at or above its operating point. */
  flags: LabelRecord<boolean>;
  /** Any label flagged. */
  flagged: boolean;
  /** Index (in the given slice order) of the most suspicious slice per label: the viewer opens there. */
  topSlice: LabelRecord<number>;
  aggregation: Aggregation;
  slices: number;
}

/**
 * Study-level result from its slices' probabilities (in slice order), with the model's own
 * aggregation rule and operating points, so every flag can be traced to a threshold in the manifest.
 */
export function scoreStudy(
  slices: readonly LabelRecord<number>[],
  manifest: Pick<ModelManifest, 'operatingPoints' | 'studyAggregation'>,
): StudyScore {
  const aggregation = manifest.studyAggregation ?? 'max';
  const perLabel = <T>(f: (l: Label) => T) => Object.fromEntries(LABELS.map((l) => [l, f(l)])) as LabelRecord<T>;
  const probabilities = perLabel((l) => aggregateStudy(slices.map((s) => s[l]), aggregation));
  const flags = perLabel((l) => slices.length > 0 && probabilities[l] >= manifest.operatingPoints[l].threshold);
  const topSlice = perLabel((l) => {
    let best = -1;
    slices.forEach((s, i) => {
      if (best < 0 || s[l] > slices[best]![l]) best = i;
    });
    return best;
  });
  return { probabilities, flags, flagged: LABELS.some((l) => flags[l]), topSlice, aggregation, slices: slices.length };
}
