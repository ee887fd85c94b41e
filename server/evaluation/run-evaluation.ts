import { LABELS, type Label } from '@/lib/labels';
import type { ModelManifest } from '@/lib/model-manifest';
import { manifestPoints } from '@/lib/study-decision';
import { buildContextTensor } from '@/server/analysis/build-context-tensor';
import type { HuImage } from '@/server/dicom';
import type { InferenceEngine } from '@/server/inference';
import { AGGREGATIONS, aggregateStudy, type Aggregation } from '@/server/triage/aggregate-study';
import type { EvalDataset, EvalSlice } from './eval-slice';
import { atThreshold, rocAuc, weightedLogLoss, type Truth } from './metrics';

export interface SlicePrediction {
  id: string;
  study: string;
  probabilities: number[];
  truth: Truth[];
}

export interface EvaluationReport {
  slices: number;
  studies: number;
  failures: number;
  auc: Record<Label, number | null>;
  studyAuc: Record<Label, number | null>;
  /** Study-level AUC(any) under every aggregation rule, to show the choice is measured. */
  studyAucAnyByAggregation: Record<Aggregation, number | null>;
  aggregation: Aggregation;
  weightedLogLoss: number | null;
  sensitivity: Record<Label, number | null>;
  specificity: Record<Label, number | null>;
  thresholds: Record<Label, number>;
  /**
   * The study-level decision at the manifest's study operating points (the slice-level "any" point
   * when the manifest has none): per label with a point, study sensitivity and specificity.
   */
  studyThresholds: Partial<Record<Label, number>>;
  studySensitivity: Partial<Record<Label, number | null>>;
  studySpecificity: Partial<Record<Label, number | null>>;
  model: string;
  provider: string;
}

/**
 * Runs every slice of every study through the model, study by study (all of a study's slices are
 * submitted at once so the engine batches them, as the server does), and returns the predictions.
 */
export async function predictDataset(
  dataset: EvalDataset,
  engine: InferenceEngine,
  onStudy?: (done: number, total: number) => void,
): Promise<SlicePrediction[]> {
  const byStudy = groupByStudy(dataset.slices);
  const out: SlicePrediction[] = [];
  let done = 0;
  const spec = engine.manifest.preprocess;
  for (const slices of byStudy.values()) {
    // A study at a time, in position order: 2.5D models read each slice's neighbours, exactly as
    // the server's final pass does (server/analysis/build-context-tensor.ts).
    const hu: HuImage[] = [];
    for (const s of slices) hu.push(await s.loadHu());
    const tensors = hu.map((_, i) => buildContextTensor(spec, (offset) => hu[i + offset]));
    const results = await Promise.all(tensors.map((t) => engine.infer(t)));
    slices.forEach((s, i) => {
      out.push({
        id: s.id,
        study: s.study,
        probabilities: LABELS.map((l) => results[i]!.probabilities[l]),
        truth: LABELS.map((l) => s.truth[l]),
      });
    });
    onStudy?.(++done, byStudy.size);
  }
  return out;
}

/** A study's slices in position order. */
export function groupByStudy(slices: readonly EvalSlice[]): Map<string, EvalSlice[]> {
  const studies = new Map<string, EvalSlice[]>();
  for (const s of slices) {
    const list = studies.get(s.study) ?? [];
    list.push(s);
    studies.set(s.study, list);
  }
  for (const list of studies.values()) list.sort((a, b) => a.position - b.position);
  return studies;
}

/** The figures `npm run evaluate` prints, from predictions and the manifest's operating points. */
export function scorePredictions(
  predictions: readonly SlicePrediction[],
  manifest: ModelManifest,
  options: { aggregation: Aggregation; failures: number; provider: string },
): EvaluationReport {
  const column = (j: number) => ({
    scores: predictions.map((p) => p.probabilities[j]!),
    truth: predictions.map((p) => p.truth[j]!),
  });
  const perLabel = <T>(f: (label: Label, j: number) => T) => Object.fromEntries(LABELS.map((l, j) => [l, f(l, j)])) as Record<Label, T>;

  const studies = new Map<string, SlicePrediction[]>();
  for (const p of predictions) {
    const list = studies.get(p.study);
    if (list) list.push(p);
    else studies.set(p.study, [p]);
  }
  const studyAucFor = (j: number, rule: Aggregation) => {
    const scores: number[] = [];
    const truth: Truth[] = [];
    for (const list of studies.values()) {
      scores.push(aggregateStudy(list.map((p) => p.probabilities[j]!), rule));
      const known = list.map((p) => p.truth[j]).filter((y): y is 0 | 1 => y === 0 || y === 1);
      truth.push(known.length === 0 ? null : known.includes(1) ? 1 : 0);
    }
    return rocAuc(scores, truth);
  };

  const studyRows = (j: number) => {
    const scores: number[] = [];
    const truth: Truth[] = [];
    for (const list of studies.values()) {
      scores.push(aggregateStudy(list.map((p) => p.probabilities[j]!), options.aggregation));
      const known = list.map((p) => p.truth[j]).filter((y): y is 0 | 1 => y === 0 || y === 1);
      truth.push(known.length === 0 ? null : known.includes(1) ? 1 : 0);
    }
    return { scores, truth };
  };
  const studyPoints = manifestPoints(manifest).points;
  const studyThresholds: Partial<Record<Label, number>> = {};
  const studySensitivity: Partial<Record<Label, number | null>> = {};
  const studySpecificity: Partial<Record<Label, number | null>> = {};
  LABELS.forEach((l, j) => {
    const point = studyPoints[l];
    if (!point) return;
    const { scores, truth } = studyRows(j);
    const at = atThreshold(scores, truth, point.threshold);
    studyThresholds[l] = point.threshold;
    studySensitivity[l] = at.sensitivity;
    studySpecificity[l] = at.specificity;
  });

  const thresholds = perLabel((l) => manifest.operatingPoints[l].threshold);
  const confusion = perLabel((l, j) => {
    const { scores, truth } = column(j);
    return atThreshold(scores, truth, thresholds[l]);
  });
  return {
    slices: predictions.length,
    studies: studies.size,
    failures: options.failures,
    auc: perLabel((_, j) => {
      const { scores, truth } = column(j);
      return rocAuc(scores, truth);
    }),
    studyAuc: perLabel((_, j) => studyAucFor(j, options.aggregation)),
    studyAucAnyByAggregation: Object.fromEntries(AGGREGATIONS.map((a) => [a, studyAucFor(0, a)])) as Record<Aggregation, number | null>,
    aggregation: options.aggregation,
    weightedLogLoss: weightedLogLoss(
      predictions.map((p) => p.probabilities),
      predictions.map((p) => p.truth),
    ),
    sensitivity: perLabel((l) => confusion[l].sensitivity),
    specificity: perLabel((l) => confusion[l].specificity),
    thresholds,
    studyThresholds,
    studySensitivity,
    studySpecificity,
    model: `${manifest.name}@${manifest.version}`,
    provider: options.provider,
  };
}

/** Kaggle RSNA 2019 submission: `ID,Label` then one row per slice and label. */
export function toSubmissionCsv(predictions: readonly SlicePrediction[]): string {
  const rows = ['ID,Label'];
  for (const p of predictions) {
    const id = p.id.startsWith('ID_') ? p.id : `ID_${p.id}`;
    LABELS.forEach((l, j) => rows.push(`${id}_${l},${p.probabilities[j]!.toFixed(6)}`));
  }
  return `${rows.join('\n')}\n`;
}
