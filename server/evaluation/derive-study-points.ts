import { LABELS, type Label } from '@/lib/labels';
import type { StudyOperatingPoint, StudyOperatingPoints } from '@/lib/model-manifest';
import { aggregateStudy, type Aggregation } from '@/server/triage/aggregate-study';
import { studyOperatingPoint, type BootstrapOptions, type StudyOutcome } from './study-operating-points';

/** A study's slice probabilities per label (in slice order) and its study-level truth per label. */
export interface LabelledStudy {
  id: string;
  slices: readonly Record<Label, number>[];
  /** Study truth per label; null (unknown) leaves the study out of that label's point. */
  truth: Record<Label, 0 | 1 | null>;
}

/**
 * A subtype needs this many positive studies for a point: with fewer, one study moves the sensitivity
 * by more than 10 points and its interval spans most of [0, 1] (3 subdurals gave 1.00, 95 % CI 1.00-1.00
 * and specificity 0.05), so showing it as "suspected" would claim what was never measured.
 */
export const MIN_SUBTYPE_POSITIVES = 10;

export interface DerivedStudyPoints {
  points: StudyOperatingPoints;
  /** Labels that got no point, with why (no positive or no negative study). */
  skipped: { label: Label; reason: string }[];
}

/**
 * Study operating points for every label that can have one: study scores by the given aggregation,
 * "any" at `targetSensitivity`, subtypes at `subtypeSensitivity`. A label without a positive (or a
 * negative) study, or a subtype with fewer than MIN_SUBTYPE_POSITIVES, gets none: it is never
 * shown as suspected.
 */
export function deriveStudyPoints(
  studies: readonly LabelledStudy[],
  options: { aggregation: Aggregation; targetSensitivity: number; subtypeSensitivity: number; measuredOn: string; minSubtypePositives?: number } & BootstrapOptions,
): DerivedStudyPoints {
  const points: Partial<Record<Label, StudyOperatingPoint>> = {};
  const skipped: DerivedStudyPoints['skipped'] = [];
  for (const label of LABELS) {
    const outcomes: StudyOutcome[] = studies.flatMap((s) => {
      const truth = s.truth[label];
      return truth === null ? [] : [{ score: aggregateStudy(s.slices.map((p) => p[label]), options.aggregation), truth, normal: s.truth.any === 0 }];
    });
    const positives = outcomes.filter((o) => o.truth === 1).length;
    if (positives === 0 || positives === outcomes.length) {
      skipped.push({ label, reason: positives === 0 ? 'no study has it' : 'every study has it' });
      continue;
    }
    const minimum = label === 'any' ? 1 : (options.minSubtypePositives ?? MIN_SUBTYPE_POSITIVES);
    if (positives < minimum) {
      skipped.push({ label, reason: `${positives} positive stud${positives === 1 ? 'y' : 'ies'}, fewer than ${minimum}: its sensitivity cannot be estimated` });
      continue;
    }
    const target = label === 'any' ? options.targetSensitivity : options.subtypeSensitivity;
    points[label] = studyOperatingPoint(outcomes, target, options.measuredOn, options);
  }
  if (!points.any) throw new Error(`no study operating point for "any": ${skipped.find((s) => s.label === 'any')?.reason}`);
  return { points: points as StudyOperatingPoints, skipped };
}
