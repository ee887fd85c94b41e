/**
 * npm run calibrate -- --dicom DIR --labels FILE.csv [--sensitivity 0.95] [--out FILE.json]
 * npm run calibrate -- --ctich DIR [--sensitivity 0.95] [--out FILE.json]
 *   [--model models/<name>-<version>.json] [--providers cpu] [--subtype-sensitivity 0.8] [--min-subtype-positives 10]
 *
 * Measures the model on the site's own labelled studies (the `npm run evaluate` layouts, through the
 * server's own pipeline) and writes a site override of the study operating points: the largest study
 * threshold reaching the target study sensitivity, with the figures it was chosen from, the model it
 * belongs to, the date and the number of studies. The server loads it at start from
 * $DATA_DIR/site-operating-points.json (the default --out) and refuses it for another model.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { isAppError } from '../lib/errors';
import { LABELS } from '../lib/labels';
import { DEFAULT_MODEL_MANIFEST } from '../server/config/defaults';
import { calibrateSite } from '../server/evaluation/calibrate-site';
import { readCtIchDataset } from '../server/evaluation/ctich-dataset';
import { MIN_SUBTYPE_POSITIVES } from '../server/evaluation/derive-study-points';
import { readDicomDataset } from '../server/evaluation/dicom-dataset';
import { parseRsnaLabels } from '../server/evaluation/rsna-labels';
import { predictDataset } from '../server/evaluation/run-evaluation';
import { EXECUTION_PROVIDERS, InferenceEngine, type ExecutionProvider } from '../server/inference';
import { SITE_OPERATING_POINTS_FILE } from '../server/inference/site-operating-points';
import { createLogger } from '../server/logging';

const USAGE =
  'usage: npm run calibrate -- (--dicom DIR --labels FILE.csv | --ctich DIR) [--sensitivity 0.95] [--out FILE.json] [--model MANIFEST.json] [--providers cpu] [--subtype-sensitivity 0.8] [--min-subtype-positives 10]';

function fraction(text: string, name: string): number {
  const v = Number(text);
  if (!(v > 0 && v <= 1)) throw new Error(`--${name} must be a number in (0, 1], got "${text}"`);
  return v;
}

const f3 = (v: number) => v.toFixed(3);

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      dicom: { type: 'string' },
      labels: { type: 'string' },
      ctich: { type: 'string' },
      sensitivity: { type: 'string', default: '0.95' },
      'subtype-sensitivity': { type: 'string', default: '0.8' },
      'min-subtype-positives': { type: 'string', default: String(MIN_SUBTYPE_POSITIVES) },
      out: { type: 'string' },
      model: { type: 'string', default: DEFAULT_MODEL_MANIFEST },
      providers: { type: 'string', default: 'cpu' },
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
  const target = fraction(values.sensitivity, 'sensitivity');
  const subtypeTarget = fraction(values['subtype-sensitivity'], 'subtype-sensitivity');
  const minSubtypePositives = Number(values['min-subtype-positives']);
  if (!Number.isInteger(minSubtypePositives) || minSubtypePositives < 1) throw new Error(`--min-subtype-positives must be a positive integer, got "${values['min-subtype-positives']}"`);
  const providers = values.providers.split(',').map((p) => p.trim());
  const unknown = providers.find((p) => !(EXECUTION_PROVIDERS as readonly string[]).includes(p));
  if (unknown) throw new Error(`unknown provider "${unknown}"`);
  // Same default as the server: DATA_DIR, else ./data.
  const out = values.out ?? join(process.env.DATA_DIR ?? 'data', SITE_OPERATING_POINTS_FILE);

  const engine = await InferenceEngine.create({
    manifestPath: values.model,
    providers: providers as ExecutionProvider[],
    maxBatch: 32,
    maxWaitMs: 2,
    intraOpThreads: os.availableParallelism(),
    log: createLogger('warn'),
  });
  let predictions;
  let failures;
  try {
    const dataset = values.ctich ? await readCtIchDataset(values.ctich) : await readDicomDataset(values.dicom!, parseRsnaLabels(await readFile(values.labels!, 'utf8')));
    failures = dataset.failures.length;
    console.log(`model ${engine.manifest.name}@${engine.manifest.version} on ${engine.status.provider}; ${dataset.slices.length} slices, ${failures} unreadable`);
    predictions = await predictDataset(dataset, engine);
  } finally {
    await engine.close();
  }
  const result = calibrateSite(predictions, engine.manifest, {
    targetSensitivity: target,
    subtypeSensitivity: subtypeTarget,
    minSubtypePositives,
    source: { dicom: values.dicom ?? values.ctich!, labels: values.labels ?? 'labels.csv' },
  });
  const { site } = result;
  console.log(`${site.studies} labelled studies (${result.unlabelledStudies} without a label left out); study AUC(any) ${result.studyAucAny === null ? 'n/a' : f3(result.studyAucAny)} (${site.aggregation})`);
  for (const l of LABELS) {
    const p = site.points[l];
    if (!p) continue;
    console.log(
      `${l.padEnd(17)} threshold ${p.threshold.toFixed(4)}  sensitivity ${f3(p.sensitivity)} (${p.sensitivityCi.map(f3).join('-')})  specificity ${f3(p.specificity)} (${p.specificityCi.map(f3).join('-')})  flagged normals ${(p.flaggedNormalFraction * 100).toFixed(1)} %  ${p.positives}/${p.negatives}`,
    );
  }
  for (const s of result.skipped) console.log(`${s.label}: no site point (${s.reason}); never shown as suspected`);
  const manifestAny = engine.manifest.studyOperatingPoints?.any.threshold;
  if (manifestAny !== undefined) console.log(`manifest study point for any: ${manifestAny.toFixed(4)}; this site's: ${site.points.any.threshold.toFixed(4)}`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(site, null, 2)}\n`);
  console.log(`written to ${out}; the server loads it at its next start (an admin can put it in force or back out on the operations page)`);
  console.log(JSON.stringify({ out, studies: site.studies, failures, studyAucAny: result.studyAucAny, points: site.points }));
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
