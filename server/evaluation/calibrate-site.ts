import { basename } from 'node:path';
import { LABELS, type Label } from '@/lib/labels';
import type { ModelManifest } from '@/lib/model-manifest';
import type { SiteOperatingPoints } from '@/server/inference/site-operating-points';
import { aggregateStudy } from '@/server/triage/aggregate-study';
import { deriveStudyPoints, MIN_SUBTYPE_POSITIVES } from './derive-study-points';
import { rocAuc, type Truth } from './metrics';
import type { SlicePrediction } from './run-evaluation';

export interface SiteCalibration {
  site: SiteOperatingPoints;
  /** Labels that got no point, with why. */
  skipped: { label: Label; reason: string }[];
  /** Study AUC("any") on the site's studies, with the manifest's aggregation. */
  studyAucAny: number | null;
  /** Studies left out: no known "any" label. */
  unlabelledStudies: number;
}

const studyTruth = (truths: Truth[]): 0 | 1 | null => {
  const known = truths.filter((t): t is 0 | 1 => t === 0 || t === 1);
  return known.length === 0 ? null : known.includes(1) ? 1 : 0;
};

/**
 * A site override of the study operating points from the model's predictions on the site's own
 * labelled studies (the `npm run evaluate` layouts): the largest study threshold reaching the target
 * study sensitivity, with its figures, bootstrap intervals and the model it belongs to.
 */
export function calibrateSite(
  predictions: readonly SlicePrediction[],
  manifest: Pick<ModelManifest, 'name' | 'version' | 'sha256' | 'studyAggregation'>,
  options: { targetSensitivity: number; subtypeSensitivity?: number; minSubtypePositives?: number; source: { dicom: string; labels: string }; now?: Date },
): SiteCalibration {
  const aggregation = manifest.studyAggregation ?? 'max';
  const byStudy = new Map<string, SlicePrediction[]>();
  for (const p of predictions) byStudy.set(p.study, [...(byStudy.get(p.study) ?? []), p]);
  const studies = [...byStudy].map(([id, slices]) => ({
    id,
    slices: slices.map((s) => Object.fromEntries(LABELS.map((l, j) => [l, s.probabilities[j]!])) as Record<Label, number>),
    truth: Object.fromEntries(LABELS.map((l, j) => [l, studyTruth(slices.map((s) => s.truth[j]!))])) as Record<Label, 0 | 1 | null>,
  }));
  const labelled = studies.filter((s) => s.truth.any !== null);
  if (labelled.length === 0) throw new Error('no study has a known "any" label: check that --labels names the SOP Instance UIDs of the DICOM files');
  const measuredOn = `${labelled.length} labelled studies of this site`;
  const { points, skipped } = deriveStudyPoints(labelled, {
    aggregation,
    targetSensitivity: options.targetSensitivity,
    subtypeSensitivity: options.subtypeSensitivity ?? 0.8,
    minSubtypePositives: options.minSubtypePositives ?? MIN_SUBTYPE_POSITIVES,
    measuredOn,
  });
  const site: SiteOperatingPoints = {
    kind: 'ich-triage.site-operating-points',
    model: { name: manifest.name, version: manifest.version, sha256: manifest.sha256 },
    createdAt: (options.now ?? new Date()).toISOString(),
    studies: labelled.length,
    aggregation,
    targetSensitivity: options.targetSensitivity,
    points,
    // Folder and file names only: a path can carry a patient's name on some archives' exports.
    source: { dicom: basename(options.source.dicom), labels: basename(options.source.labels) },
  };
  const anyScores = labelled.map((s) => aggregateStudy(s.slices.map((p) => p.any), aggregation));
  return { site, skipped, studyAucAny: rocAuc(anyScores, labelled.map((s) => s.truth.any)), unlabelledStudies: studies.length - labelled.length };
}
