import { LABELS, type Label, type LabelRecord } from '@/lib/labels';
import { decideStudy, studyDecisionOf, type PointsInForce, type StudyDecision } from '@/lib/study-decision';
import { aggregateStudy, type Aggregation } from './aggregate-study';

export interface StudyScore {
  probabilities: LabelRecord<number>;
  /**
   * "any": the study is flagged ("any" at or above the study-level point in force); a subtype: it is
   * suspected (only on a flagged study, at or above its own study-level point; none without one).
   */
  flags: LabelRecord<boolean>;
  /** The study is flagged. */
  flagged: boolean;
  /** Index (in the given slice order) of the most suspicious slice per label: the viewer opens there. */
  topSlice: LabelRecord<number>;
  aggregation: Aggregation;
  slices: number;
  /** The point it was decided by, kept with the study (Study.decisionPoint). */
  decision: StudyDecision;
}

/**
 * Study-level result from its slices' probabilities (in slice order), with the model's own
 * aggregation rule and the study-level operating points in force, so every flag can be traced to
 * a study-level threshold and the figures it was chosen from. Slice-level points play no part here:
 * they only highlight slices.
 */
export function scoreStudy(slices: readonly LabelRecord<number>[], aggregation: Aggregation, inForce: PointsInForce): StudyScore {
  const perLabel = <T>(f: (l: Label) => T) => Object.fromEntries(LABELS.map((l) => [l, f(l)])) as LabelRecord<T>;
  const probabilities = perLabel((l) => aggregateStudy(slices.map((s) => s[l]), aggregation));
  const { flagged, suspected } = decideStudy(probabilities, inForce, slices.length);
  const topSlice = perLabel((l) => {
    let best = -1;
    slices.forEach((s, i) => {
      if (best < 0 || s[l] > slices[best]![l]) best = i;
    });
    return best;
  });
  return { probabilities, flags: { any: flagged, ...suspected }, flagged, topSlice, aggregation, slices: slices.length, decision: studyDecisionOf(inForce) };
}
