/**
 * Static int8 quantisation of a model (QDQ form, weights per output channel), calibrated on slices
 * built by the server's own preprocessing, written as a new manifest + ONNX file that the engine,
 * `npm run evaluate` and `npm run bench:inference` load like any other model. It never touches
 * models/: the output goes to --out, and shipping it is a decision for the model's owner, after
 * `npm run evaluate` on the same labelled set with both manifests (README, inference benchmark).
 *
 *   tsx bench/quantize.ts --dicom DIR --labels DIR/truth.csv [--model models/<m>.json] [--out DIR]
 *     [--method minmax|percentile] [--percentile 99.999] [--max-slices 400]
 *   (or --ctich DIR instead of --dicom/--labels)
 *
 * Steps: bench/python/quantize_qdq.py augment (every activation that feeds a Conv or an Add becomes
 * an output), onnxruntime-node runs that calibration model on the slices, each activation's range is
 * its min/max (or the given percentile of |x| on each side), then quantize_qdq.py quantize writes the
 * QDQ model. Calibrate on studies other than the ones you evaluate on (e.g. phantoms of another seed).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { buildContextTensor } from '@/server/analysis/build-context-tensor';
import { DEFAULT_MODEL_MANIFEST } from '@/server/config/defaults';
import type { HuImage } from '@/server/dicom';
import { readCtIchDataset } from '@/server/evaluation/ctich-dataset';
import { readDicomDataset } from '@/server/evaluation/dicom-dataset';
import { groupByStudy } from '@/server/evaluation/run-evaluation';
import { parseRsnaLabels } from '@/server/evaluation/rsna-labels';
import { loadVerifiedModel } from '@/server/inference';

const PY = join(dirname(new URL(import.meta.url).pathname), 'python', 'quantize_qdq.py');

/** Per-tensor running statistics: min/max, and for percentiles a sorted-on-demand sample. */
class Stats {
  lo = Infinity;
  hi = -Infinity;
  private sample: number[] = [];
  constructor(private readonly keep: number) {}
  add(data: Float32Array): void {
    let lo = this.lo;
    let hi = this.hi;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.lo = lo;
    this.hi = hi;
    if (this.keep > 0) {
      // A strided sample of each batch: enough values for the tail quantiles, bounded memory.
      const step = Math.max(1, Math.floor(data.length / this.keep));
      for (let i = (Math.random() * step) | 0; i < data.length; i += step) this.sample.push(data[i]!);
    }
  }
  range(method: 'minmax' | 'percentile', pct: number): [number, number] {
    if (method === 'minmax' || this.sample.length === 0) return [this.lo, this.hi];
    const s = Float32Array.from(this.sample).sort();
    const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]!;
    return [Math.max(this.lo, at(1 - pct / 100)), Math.min(this.hi, at(pct / 100))];
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: DEFAULT_MODEL_MANIFEST },
      dicom: { type: 'string' },
      labels: { type: 'string' },
      ctich: { type: 'string' },
      out: { type: 'string', default: '/tmp/ich-quantized' },
      method: { type: 'string', default: 'minmax' },
      percentile: { type: 'string', default: '99.999' },
      'max-slices': { type: 'string', default: '400' },
      'keep-fp32': { type: 'string', default: '' },
    },
    strict: true,
  });
  const method = values.method as 'minmax' | 'percentile';
  if (method !== 'minmax' && method !== 'percentile') throw new Error('--method is minmax or percentile');
  if (!values.ctich && !(values.dicom && values.labels)) throw new Error('calibration slices: --dicom DIR --labels FILE.csv, or --ctich DIR');
  const { manifest, modelPath } = await loadVerifiedModel(values.model);
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  const aug = join(out, 'calibration.onnx');
  const list = join(out, 'calibration-tensors.json');
  execFileSync('/usr/bin/python3', [PY, 'augment', '--onnx', modelPath, '--out', aug, '--tensors', list], { stdio: 'inherit' });
  const names = JSON.parse(readFileSync(list, 'utf8')) as string[];

  const dataset = values.ctich
    ? await readCtIchDataset(values.ctich)
    : await readDicomDataset(values.dicom!, parseRsnaLabels(await readFile(values.labels!, 'utf8')));
  const session = await ort.InferenceSession.create(aug, { executionProviders: ['cpu'], graphOptimizationLevel: 'basic', logSeverityLevel: 3 });
  const { windows, inputSize } = manifest.preprocess;
  const maxSlices = Number(values['max-slices']);
  const stats = new Map(names.map((n) => [n, new Stats(method === 'percentile' ? 20_000 : 0)]));
  let used = 0;
  for (const slices of groupByStudy(dataset.slices).values()) {
    if (used >= maxSlices) break;
    const hu: HuImage[] = [];
    for (const s of slices) hu.push(await s.loadHu());
    const tensors = hu.map((_, i) => buildContextTensor(manifest.preprocess, (o) => hu[i + o]));
    for (let at = 0; at < tensors.length && used < maxSlices; at += 8) {
      const chunk = tensors.slice(at, Math.min(at + 8, tensors.length, at + maxSlices - used));
      const batch = new Float32Array(chunk.length * chunk[0]!.length);
      chunk.forEach((t, i) => batch.set(t, i * t.length));
      const res = await session.run({ [manifest.input.name]: new ort.Tensor('float32', batch, [chunk.length, windows.length, inputSize.height, inputSize.width]) });
      for (const n of names) stats.get(n)!.add(res[n]!.data as Float32Array);
      used += chunk.length;
    }
  }
  await session.release();
  if (used === 0) throw new Error('no calibration slices were read');
  const pct = Number(values.percentile);
  const ranges = Object.fromEntries(names.map((n) => [n, stats.get(n)!.range(method, pct)]));
  const rangesPath = join(out, 'calibration-ranges.json');
  writeFileSync(rangesPath, JSON.stringify(ranges, null, 1));

  const stem = `${manifest.name}-${manifest.version}-int8`;
  const qPath = join(out, `${stem}.onnx`);
  const pyArgs = [PY, 'quantize', '--onnx', modelPath, '--ranges', rangesPath, '--out', qPath];
  if (values['keep-fp32']) pyArgs.push('--keep-fp32', values['keep-fp32']);
  const report = JSON.parse(execFileSync('/usr/bin/python3', pyArgs, { encoding: 'utf8' }).trim().split('\n').at(-1)!) as Record<string, unknown>;
  const bytes = readFileSync(qPath);
  const quantisation = {
    from: `${basename(modelPath)} (sha256 ${manifest.sha256})`,
    scheme: 'static int8 QDQ: weights int8 symmetric per output channel, activations uint8 per tensor (zero point 0 after ReLU), bias int32; the last convolution (the map head) keeps float weights',
    calibration: { slices: used, source: values.ctich ?? values.dicom, method, ...(method === 'percentile' ? { percentile: pct } : {}) },
    ...report,
  };
  const qManifest = {
    ...manifest,
    file: basename(qPath),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    description: `${manifest.description ?? manifest.name} Quantised to int8 by bench/quantize.ts.`,
    training: { ...(manifest.training ?? {}), quantisation },
  };
  const qManifestPath = join(out, `${stem}.json`);
  writeFileSync(qManifestPath, `${JSON.stringify(qManifest, null, 2)}\n`);
  console.log(JSON.stringify({ manifest: qManifestPath, onnx: qPath, bytes: bytes.length, calibrationSlices: used, method, ...report }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
