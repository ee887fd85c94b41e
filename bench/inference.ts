/**
 * Inference throughput of the shipped model through the server's own engine (onnxruntime-node,
 * micro-batching) at batch 1, 8 and 32, against PyTorch running the same architecture on the same
 * CPU in the same run (bench/python/torch_inference.py), alternating rounds so background load hits
 * both alike. Also the model's size and load time. Usage:
 *   tsx bench/inference.ts [--manifest models/ich-cnn-1.0.0.json] [--threads 2] [--rounds 3] [--weights /tmp/ich-run/final.pt]
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { DEFAULT_MODEL_MANIFEST } from '@/server/config/defaults';
import { InferenceEngine } from '@/server/inference';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const MANIFEST = opt('manifest', DEFAULT_MODEL_MANIFEST);
const THREADS = Number(opt('threads', '2'));
const ROUNDS = Number(opt('rounds', '3'));
const WEIGHTS = opt('weights', '/tmp/ich-run/final.pt');
const BATCHES = [1, 8, 32];
const log = pino({ level: 'silent' });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Slices/s through the engine with the batcher kept full for `seconds`. */
async function nodeRound(maxBatch: number, seconds: number): Promise<number> {
  const engine = await InferenceEngine.create({ manifestPath: MANIFEST, providers: ['cpu'], maxBatch, maxWaitMs: 2, intraOpThreads: THREADS, log });
  const slices = Array.from({ length: maxBatch * 4 }, () => Float32Array.from({ length: engine.sliceLength }, () => Math.random()));
  await Promise.all(slices.map((t) => engine.infer(t)));
  let done = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await Promise.all(slices.map((t) => engine.infer(t)));
    done += slices.length;
  }
  const rate = done / ((performance.now() - t0) / 1000);
  await engine.close();
  return rate;
}

async function main(): Promise<void> {
  const probe = await InferenceEngine.create({ manifestPath: MANIFEST, providers: ['cpu'], maxBatch: 1, maxWaitMs: 1, intraOpThreads: THREADS, log });
  const { windows, inputSize } = probe.manifest.preprocess;
  const onnxBytes = statSync(join(dirname(MANIFEST), probe.manifest.file)).size;
  const loadMs = probe.status.loadMs;
  await probe.close();

  const node: Record<number, number[]> = { 1: [], 8: [], 32: [] };
  const torch: Record<number, number[]> = { 1: [], 8: [], 32: [] };
  let torchWeights = '';
  for (let r = 0; r < ROUNDS; r++) {
    for (const b of BATCHES) node[b]!.push(await nodeRound(b, 3));
    const out = JSON.parse(
      execFileSync('/usr/bin/python3', ['bench/python/torch_inference.py', '--channels', String(windows.length), '--size', String(inputSize.height), '--threads', String(THREADS), '--seconds', '3', '--weights', WEIGHTS], { encoding: 'utf8' }),
    ) as { batch: Record<string, number>; weights: string; torch: string };
    for (const b of BATCHES) torch[b]!.push(out.batch[String(b)]!);
    torchWeights = `${out.weights}, torch ${out.torch}`;
  }

  console.log(`\n${probe.manifest.name}@${probe.manifest.version}: input ${windows.length}x${inputSize.height}x${inputSize.width}, ONNX ${(onnxBytes / 1e6).toFixed(1)} MB, load + verify ${loadMs} ms`);
  console.log(`${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, ${THREADS} threads each, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; PyTorch weights: ${torchWeights}\n`);
  console.log('| Batch | onnxruntime-node (engine) slices/s | PyTorch slices/s | ONNX / PyTorch |');
  console.log('|---:|---:|---:|---:|');
  for (const b of BATCHES) {
    const ratios = node[b]!.map((n, i) => n / torch[b]![i]!);
    console.log(`| ${b} | ${median(node[b]!).toFixed(0)} (${Math.min(...node[b]!).toFixed(0)}–${Math.max(...node[b]!).toFixed(0)}) | ${median(torch[b]!).toFixed(0)} | ${median(ratios).toFixed(2)}× |`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
