/**
 * Inference throughput of the shipped model through the server's own engine (onnxruntime-node,
 * micro-batching) at batch 1, 8 and 32, against PyTorch running the same network with the same
 * weights (taken from the ONNX file: bench/python/torch_inference.py) on the same CPU in the same
 * run. PyTorch runs as one long-lived process, so the two alternate measurement by measurement
 * (round r, batch b: ORT then PyTorch, the order flipped every round) and background load hits
 * both alike; each pair gives one ratio, and the table reports medians with the interquartile
 * range. Both sides first run one untimed measurement per batch (JIT, allocator, kernels), and the
 * two networks' outputs on one fixed input are compared. Usage:
 *   tsx bench/inference.ts [--manifest models/ich-cnn-1.0.0.json] [--threads 2] [--rounds 7] [--seconds 2]
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
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
const ROUNDS = Number(opt('rounds', '7'));
const SECONDS = Number(opt('seconds', '2'));
const BATCHES = [1, 8, 32];
const log = pino({ level: 'silent' });

/** The q-quantile of xs (linear interpolation), q in [0, 1]. */
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo);
}
const summary = (xs: number[], digits: number) =>
  `${quantile(xs, 0.5).toFixed(digits)} (IQR ${quantile(xs, 0.25).toFixed(digits)}–${quantile(xs, 0.75).toFixed(digits)})`;

/** Slices/s through the engine with the batcher kept full (4 batches in flight) for `seconds`. */
async function nodeRate(engine: InferenceEngine, slices: Float32Array[], seconds: number): Promise<number> {
  let done = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await Promise.all(slices.map((t) => engine.infer(t)));
    done += slices.length;
  }
  return done / ((performance.now() - t0) / 1000);
}

/** The long-lived PyTorch process: one JSON line per request. */
async function startTorch(onnx: string, channels: number, size: number) {
  const child = spawn('/usr/bin/python3', ['bench/python/torch_inference.py', '--onnx', onnx, '--channels', String(channels), '--size', String(size), '--threads', String(THREADS)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    // PASSIVE: OpenMP threads sleep between runs instead of spinning, the counterpart of the
    // engine's allow_spinning 0. Without it PyTorch collapsed on this shared 2-core machine
    // (batch 8: 2 slices/s instead of 23 at load 14), which would flatter onnxruntime.
    env: { ...process.env, OMP_NUM_THREADS: String(THREADS), MKL_NUM_THREADS: String(THREADS), OMP_WAIT_POLICY: 'PASSIVE' },
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the PyTorch process ended early (its error is above)');
    return JSON.parse(value as string) as Record<string, unknown>;
  };
  const ready = (await next()) as { weights: string; torch: string; threads: number; probe: number[] };
  return {
    ready,
    rate: async (batch: number, seconds: number) => {
      child.stdin.write(`${JSON.stringify({ batch, seconds })}\n`);
      return (await next()).rate as number;
    },
    close: () => child.stdin.end(),
  };
}

async function main(): Promise<void> {
  const engines = new Map<number, InferenceEngine>();
  for (const b of BATCHES) {
    engines.set(b, await InferenceEngine.create({ manifestPath: MANIFEST, providers: ['cpu'], maxBatch: b, maxWaitMs: 2, intraOpThreads: THREADS, log }));
  }
  const probe = engines.get(1)!;
  const { windows, inputSize } = probe.manifest.preprocess;
  const onnxPath = join(dirname(MANIFEST), probe.manifest.file);
  const onnxBytes = statSync(onnxPath).size;
  const torch = await startTorch(onnxPath, windows.length, inputSize.height);

  // Same weights, checked: both networks on ((c*7 + y*3 + x) % 17) / 17 (torch_inference.py).
  const fixed = new Float32Array(probe.sliceLength);
  const { height, width } = inputSize;
  for (let c = 0; c < windows.length; c++) for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) fixed[(c * height + y) * width + x] = ((c * 7 + y * 3 + x) % 17) / 17;
  const ours = Object.values((await probe.infer(fixed)).probabilities);
  const probeDiff = Math.max(...ours.map((p, i) => Math.abs(p - torch.ready.probe[i]!)));

  const inputs = new Map(BATCHES.map((b) => [b, Array.from({ length: b * 4 }, () => Float32Array.from({ length: probe.sliceLength }, () => Math.random()))]));
  for (const b of BATCHES) {
    await nodeRate(engines.get(b)!, inputs.get(b)!, 1); // warm-up, untimed
    await torch.rate(b, 1);
  }
  const ort: Record<number, number[]> = { 1: [], 8: [], 32: [] };
  const pt: Record<number, number[]> = { 1: [], 8: [], 32: [] };
  const ratio: Record<number, number[]> = { 1: [], 8: [], 32: [] };
  const loads: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    loads.push(loadavg()[0]!);
    for (const b of BATCHES) {
      let n = 0;
      let t = 0;
      if (r % 2 === 0) {
        n = await nodeRate(engines.get(b)!, inputs.get(b)!, SECONDS);
        t = await torch.rate(b, SECONDS);
      } else {
        t = await torch.rate(b, SECONDS);
        n = await nodeRate(engines.get(b)!, inputs.get(b)!, SECONDS);
      }
      ort[b]!.push(n);
      pt[b]!.push(t);
      ratio[b]!.push(n / t);
    }
  }
  torch.close();
  for (const e of engines.values()) await e.close();

  console.log(`\n${probe.manifest.name}@${probe.manifest.version}: input ${windows.length}x${height}x${width}, ONNX ${(onnxBytes / 1e6).toFixed(1)} MB, load + verify ${probe.status.loadMs} ms`);
  console.log(`${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, ${THREADS} threads each, Node ${process.version}, torch ${torch.ready.torch} (${torch.ready.threads} threads)`);
  console.log(`PyTorch: ${torch.ready.weights}; max |p_ort - p_torch| on a fixed input ${probeDiff.toExponential(1)}`);
  console.log(`${ROUNDS} rounds x ${SECONDS} s per side and batch, interleaved; 1-min load average at each round ${loads.map((l) => l.toFixed(1)).join(' ')}\n`);
  console.log('| Batch | onnxruntime-node (engine) slices/s | PyTorch slices/s | ONNX / PyTorch (per pair) |');
  console.log('|---:|---:|---:|---:|');
  for (const b of BATCHES) console.log(`| ${b} | ${summary(ort[b]!, 0)} | ${summary(pt[b]!, 0)} | **${summary(ratio[b]!, 2)}×** |`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
