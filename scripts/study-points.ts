/**
 * npm run model:study-points -- --oof models/training/ich-cnn-1.0.0-oof-predictions.csv --manifest models/<name>-<version>.json
 *   [--sensitivity 0.95] [--subtype-sensitivity 0.8] [--min-subtype-positives 10] [--dry-run]
 *
 * Compares study aggregation rules on the training recipe's out-of-fold slice predictions
 * (patient-level study AUC, the learned rule by nested cross-validation), then chooses the study
 * operating points for the target study sensitivity and writes `studyAggregation`,
 * `studyOperatingPoints` and `training.studyAggregationComparison` into the manifest. The manifest's
 * sha256 covers the ONNX file only, so editing the JSON leaves the model verified.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { LABELS } from '../lib/labels';
import { modelManifestSchema } from '../lib/model-manifest';
import { compareAggregations } from '../server/evaluation/compare-aggregations';
import { deriveStudyPoints, MIN_SUBTYPE_POSITIVES } from '../server/evaluation/derive-study-points';
import { parseOofPredictions, studyTruth } from '../server/evaluation/oof-predictions';
import { DEFAULT_RESAMPLES, DEFAULT_SEED } from '../server/evaluation/study-operating-points';
import { parseManifest } from '../server/inference/load-manifest';

const USAGE = 'usage: npm run model:study-points -- --oof FILE.csv --manifest MODEL.json [--sensitivity 0.95] [--subtype-sensitivity 0.8] [--min-subtype-positives N] [--dry-run]';

function fraction(text: string, name: string): number {
  const v = Number(text);
  if (!(v > 0 && v <= 1)) throw new Error(`--${name} must be a number in (0, 1], got "${text}"`);
  return v;
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      oof: { type: 'string' },
      manifest: { type: 'string' },
      sensitivity: { type: 'string', default: '0.95' },
      'subtype-sensitivity': { type: 'string', default: '0.8' },
      'min-subtype-positives': { type: 'string', default: String(MIN_SUBTYPE_POSITIVES) },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.oof || !values.manifest) {
    console.error(USAGE);
    return 2;
  }
  const target = fraction(values.sensitivity, 'sensitivity');
  const subtypeTarget = fraction(values['subtype-sensitivity'], 'subtype-sensitivity');
  const minSubtypePositives = Number(values['min-subtype-positives']);
  if (!Number.isInteger(minSubtypePositives) || minSubtypePositives < 1) throw new Error(`--min-subtype-positives must be a positive integer, got "${values['min-subtype-positives']}"`);
  const manifestText = await readFile(values.manifest, 'utf8');
  const manifest = parseManifest(manifestText, values.manifest);
  const patients = parseOofPredictions(await readFile(values.oof, 'utf8'));

  const comparison = compareAggregations(patients.map((p) => ({ patient: p.patient, slices: p.probabilities.map((s) => s.any), truth: studyTruth(p, 'any') })));
  console.log(`${comparison.patients} patients (${comparison.positives} with a bleed), out of fold; study AUC(any) per aggregation:`);
  for (const r of comparison.results) {
    const ci = r.differenceFromMaxCi ? ` (vs max: ${r.differenceFromMaxCi.map((v) => (v >= 0 ? '+' : '') + v.toFixed(3)).join(' to ')})` : '';
    console.log(`  ${r.rule.padEnd(10)} ${r.auc?.toFixed(4) ?? 'n/a'}${ci}${r.shipped ? '' : '  [not shipped]'}`);
  }
  console.log(`kept: ${comparison.chosen}: ${comparison.why}`);

  const measuredOn = `out-of-fold validation (${comparison.patients} patients)`;
  const studies = patients.map((p) => ({
    id: p.patient,
    slices: p.probabilities,
    truth: Object.fromEntries(LABELS.map((l) => [l, studyTruth(p, l)])) as Record<(typeof LABELS)[number], 0 | 1>,
  }));
  const { points, skipped } = deriveStudyPoints(studies, { aggregation: comparison.chosen, targetSensitivity: target, subtypeSensitivity: subtypeTarget, measuredOn, minSubtypePositives });
  console.log('label               threshold  sensitivity (95 % CI)        specificity (95 % CI)        flagged normals  P/N');
  for (const l of LABELS) {
    const p = points[l];
    if (!p) continue;
    console.log(
      `${l.padEnd(18)}  ${p.threshold.toFixed(4)}     ${p.sensitivity.toFixed(3)} (${p.sensitivityCi.map((v) => v.toFixed(3)).join('-')})    ${p.specificity.toFixed(3)} (${p.specificityCi.map((v) => v.toFixed(3)).join('-')})    ${pct(p.flaggedNormalFraction).padStart(7)}          ${p.positives}/${p.negatives}`,
    );
  }
  for (const s of skipped) console.log(`${s.label}: no study point (${s.reason}); never shown as suspected`);

  const json = JSON.parse(manifestText) as Record<string, unknown>;
  const training = (json.training ?? {}) as Record<string, unknown>;
  json.studyAggregation = comparison.chosen;
  json.studyOperatingPoints = points;
  json.training = {
    ...training,
    studyAggregationComparison: {
      patients: comparison.patients,
      positives: comparison.positives,
      scores: 'out-of-fold slice predictions grouped by patient; the logistic rule (features max, top-3 mean, fraction of slices above 0.5, log slice count) by nested 5x4-fold patient-level cross-validation',
      studyAuc: Object.fromEntries(comparison.results.map((r) => [r.rule, r.auc])),
      differenceFromMaxCi: Object.fromEntries(comparison.results.filter((r) => r.differenceFromMaxCi).map((r) => [r.rule, r.differenceFromMaxCi])),
      bootstrap: { resamples: DEFAULT_RESAMPLES, seed: DEFAULT_SEED, over: 'patients', interval: 'percentile 95 %' },
      chosen: comparison.chosen,
      why: comparison.why,
      targetSensitivity: { any: target, subtypes: subtypeTarget },
      minSubtypePositives,
      noStudyPoint: Object.fromEntries(skipped.map((s) => [s.label, s.reason])),
    },
  };
  // Validate before writing: a manifest the server would refuse is never written.
  modelManifestSchema.parse(json);
  if (manifest.studyAggregation && manifest.studyAggregation !== comparison.chosen) {
    console.log(`studyAggregation changes from ${manifest.studyAggregation} to ${comparison.chosen}`);
  }
  if (values['dry-run']) {
    console.log('dry run: manifest not written');
  } else {
    await writeFile(values.manifest, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`written to ${values.manifest}`);
  }
  console.log(JSON.stringify({ studyAggregation: comparison.chosen, studyAuc: json.training && (json.training as Record<string, { studyAuc: unknown }>).studyAggregationComparison!.studyAuc, studyOperatingPoints: points }));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
