/**
 * npm run evaluate -- --ctich DIR            (CT-ICH layout: labels.csv, brain/, bone/)
 * npm run evaluate -- --dicom DIR --labels FILE.csv   (DICOM files + RSNA-format labels)
 *   [--model models/<name>-<version>.json] [--providers cpu] [--aggregation max|top3-mean|noisy-or]
 *   [--submission out.csv]
 *
 * Runs the server's own pipeline (decode → HU → tensor → ONNX engine) over a labelled set and
 * prints per-label AUC, the RSNA weighted log loss, sensitivity/specificity at the manifest's
 * operating points, study-level AUC, and the study-level decision (study sensitivity/specificity at
 * the manifest's study operating points). The LAST line is one JSON object with those figures.
 */
import { writeFile } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { isAppError } from '../lib/errors';
import { LABELS } from '../lib/labels';
import { readCtIchDataset } from '../server/evaluation/ctich-dataset';
import { readDicomDataset } from '../server/evaluation/dicom-dataset';
import { parseRsnaLabels } from '../server/evaluation/rsna-labels';
import { predictDataset, scorePredictions, toSubmissionCsv } from '../server/evaluation/run-evaluation';
import { EXECUTION_PROVIDERS, InferenceEngine, type ExecutionProvider } from '../server/inference';
import { createLogger } from '../server/logging';
import { AGGREGATIONS, type Aggregation } from '../server/triage/aggregate-study';
import { DEFAULT_MODEL_MANIFEST } from '../server/config/defaults';

const USAGE = `usage: npm run evaluate -- (--ctich DIR | --dicom DIR --labels FILE.csv) [--model MANIFEST.json] [--providers ${EXECUTION_PROVIDERS.join(',')}] [--aggregation ${AGGREGATIONS.join('|')}] [--submission out.csv]`;

const fmt = (v: number | null) => (v === null ? '   n/a' : v.toFixed(4));

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ctich: { type: 'string' },
      dicom: { type: 'string' },
      labels: { type: 'string' },
      model: { type: 'string', default: DEFAULT_MODEL_MANIFEST },
      providers: { type: 'string', default: 'cpu' },
      aggregation: { type: 'string' },
      submission: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (Boolean(values.ctich) === Boolean(values.dicom) || (values.dicom && !values.labels)) {
    console.error(USAGE);
    return 2;
  }
  const providers = values.providers.split(',').map((p) => p.trim());
  const unknown = providers.find((p) => !(EXECUTION_PROVIDERS as readonly string[]).includes(p));
  if (unknown) {
    console.error(`unknown provider "${unknown}"\n${USAGE}`);
    return 2;
  }
  if (values.aggregation && !(AGGREGATIONS as readonly string[]).includes(values.aggregation)) {
    console.error(`unknown aggregation "${values.aggregation}"\n${USAGE}`);
    return 2;
  }

  const log = createLogger('warn');
  const engine = await InferenceEngine.create({
    manifestPath: values.model,
    providers: providers as ExecutionProvider[],
    maxBatch: 32,
    maxWaitMs: 2,
    intraOpThreads: os.availableParallelism(),
    log,
  });
  const aggregation = (values.aggregation ?? engine.manifest.studyAggregation ?? 'max') as Aggregation;
  const dataset = values.ctich
    ? await readCtIchDataset(values.ctich)
    : await readDicomDataset(values.dicom!, parseRsnaLabels(await readFile(values.labels!, 'utf8')));
  console.log(`model ${engine.manifest.name}@${engine.manifest.version} on ${engine.status.provider}; ${dataset.slices.length} slices, ${dataset.failures.length} unreadable`);
  for (const f of dataset.failures) console.log(`  skipped ${f.id}: ${f.code} ${f.message}`);

  const started = performance.now();
  const predictions = await predictDataset(dataset, engine, (done, total) => {
    if (done % 10 === 0 || done === total) console.log(`  ${done}/${total} studies`);
  });
  const seconds = (performance.now() - started) / 1000;
  await engine.close();
  const report = scorePredictions(predictions, engine.manifest, { aggregation, failures: dataset.failures.length, provider: engine.status.provider });

  console.log(`${predictions.length} slices in ${seconds.toFixed(1)} s (${(predictions.length / seconds).toFixed(1)} slices/s, decode included)`);
  console.log('label               slice AUC  study AUC  threshold  sensitivity  specificity');
  for (const l of LABELS) {
    console.log(`${l.padEnd(18)}  ${fmt(report.auc[l])}     ${fmt(report.studyAuc[l])}     ${report.thresholds[l].toFixed(4)}     ${fmt(report.sensitivity[l])}       ${fmt(report.specificity[l])}`);
  }
  console.log(`weighted log loss (any x2): ${fmt(report.weightedLogLoss)}`);
  for (const [l, t] of Object.entries(report.studyThresholds)) {
    console.log(`study decision ${l}: threshold ${t.toFixed(4)} (manifest study point), study sensitivity ${fmt(report.studySensitivity[l as (typeof LABELS)[number]] ?? null)}, specificity ${fmt(report.studySpecificity[l as (typeof LABELS)[number]] ?? null)}`);
  }
  console.log(`study AUC(any) by aggregation: ${Object.entries(report.studyAucAnyByAggregation).map(([a, v]) => `${a} ${fmt(v)}`).join(', ')} (reported: ${aggregation})`);
  if (values.submission) {
    await writeFile(values.submission, toSubmissionCsv(predictions));
    console.log(`submission written to ${values.submission}`);
  }
  console.log(
    JSON.stringify({
      slices: report.slices,
      studies: report.studies,
      auc: report.auc,
      studyAuc: report.studyAuc,
      weightedLogLoss: report.weightedLogLoss,
      sensitivity: report.sensitivity,
      specificity: report.specificity,
      model: report.model,
      provider: report.provider,
      aggregation: report.aggregation,
      failures: report.failures,
      studySensitivity: report.studySensitivity,
      studySpecificity: report.studySpecificity,
    }),
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(isAppError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
