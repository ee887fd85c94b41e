/**
 * Inference throughput of a model through the server's own engine (onnxruntime-node, the server's
 * session options, micro-batching) at batch 1, 8 and 32, against PyTorch running the same network
 * with the same weights (taken from the ONNX file: bench/python/torch_inference.py; a QDQ int8 file
 * from bench/quantize.ts gives its dequantised weights, run in float) on the same CPU in the same run.
 * PyTorch runs as one long-lived process, so the sides alternate measurement by measurement (round r,
 * batch b: each side in turn, the order rotated every round) and background load hits them alike;
 * each round gives one ratio per pair of sides, and the table reports medians with the interquartile
 * range. --compare adds a second engine (e.g. the float model when --model is its int8 version) to
 * the same rounds. Every side first runs one untimed measurement per batch (JIT, allocator, kernels),
 * and the networks' outputs on one fixed input are compared. Usage:
 *   tsx bench/inference.ts [--model models/ich-cnn-1.0.0.json] [--compare MANIFEST] [--threads 2]
 *     [--rounds 9] [--seconds 2] [--batches 1,8,32]
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
const MANIFEST = opt('model', opt('manifest', DEFAULT_MODEL_MANIFEST));
const COMPARE = opt('compare', '');
const THREADS = Number(opt('threads', '2'));
const ROUNDS = Number(opt('rounds', '9'));
const SECONDS = Number(opt('seconds', '2'));
const BATCHES = opt('batches', '1,8,32').split(',').map(Number);
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

/** One measured side: a name and a slices/s measurement for a batch size. */
interface Side {
  name: string;
  rate: (batch: number, seconds: number) => Promise<number>;
}

async function engines(manifest: string): Promise<Map<number, InferenceEngine>> {
  const out = new Map<number, InferenceEngine>();
  for (const b of BATCHES) {
    out.set(b, await InferenceEngine.create({ manifestPath: manifest, providers: ['cpu'], maxBatch: b, maxWaitMs: 2, intraOpThreads: THREADS, log }));
  }
  return out;
}

/** Probabilities of the fixed input ((c*7 + y*3 + x) % 17) / 17 (torch_inference.py feeds the same). */
async function probeOf(engine: InferenceEngine): Promise<number[]> {
  const fixed = new Float32Array(engine.sliceLength);
  const { windows, inputSize } = engine.manifest.preprocess;
  const { height, width } = inputSize;
  for (let c = 0; c < windows.length; c++) for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) fixed[(c * height + y) * width + x] = ((c * 7 + y * 3 + x) % 17) / 17;
  return Object.values((await engine.infer(fixed)).probabilities);
}

const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((p, i) => Math.abs(p - b[i]!)));

async function main(): Promise<void> {
  const model = await engines(MANIFEST);
  const compare = COMPARE ? await engines(COMPARE) : undefined;
  const probe = model.get(BATCHES[0]!)!;
  const { windows, inputSize } = probe.manifest.preprocess;
  const onnxPath = join(dirname(MANIFEST), probe.manifest.file);
  const onnxBytes = statSync(onnxPath).size;
  const torch = await startTorch(onnxPath, windows.length, inputSize.height);
  const ours = await probeOf(probe);
  const theirs = compare ? await probeOf(compare.get(BATCHES[0]!)!) : undefined;
  const cmpName = compare ? `${compare.get(BATCHES[0]!)!.manifest.name}@${compare.get(BATCHES[0]!)!.manifest.version} (${compare.get(BATCHES[0]!)!.manifest.file})` : '';

  const inputs = new Map(BATCHES.map((b) => [b, Array.from({ length: b * 4 }, () => Float32Array.from({ length: probe.sliceLength }, () => Math.random()))]));
  const sides: Side[] = [
    { name: 'model', rate: (b, sec) => nodeRate(model.get(b)!, inputs.get(b)!, sec) },
    ...(compare ? [{ name: 'compare', rate: (b: number, sec: number) => nodeRate(compare.get(b)!, inputs.get(b)!, sec) }] : []),
    { name: 'torch', rate: (b, sec) => torch.rate(b, sec) },
  ];
  for (const b of BATCHES) for (const side of sides) await side.rate(b, 1); // warm-up, untimed
  const rates = new Map(sides.map((side) => [side.name, new Map(BATCHES.map((b) => [b, [] as number[]]))]));
  const loads: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    loads.push(loadavg()[0]!);
    for (const b of BATCHES) {
      // Rotate the order each round, so no side always runs first (or right after PyTorch).
      for (let k = 0; k < sides.length; k++) {
        const side = sides[(k + r) % sides.length]!;
        rates.get(side.name)!.get(b)!.push(await side.rate(b, SECONDS));
      }
    }
  }
  torch.close();
  for (const e of [...model.values(), ...(compare?.values() ?? [])]) await e.close();

  const per = (a: string, b: string, batch: number) => rates.get(a)!.get(batch)!.map((x, i) => x / rates.get(b)!.get(batch)![i]!);
  const col = (name: string, batch: number) => summary(rates.get(name)!.get(batch)!, 0);
  console.log(`\n${probe.manifest.name}@${probe.manifest.version} (${probe.manifest.file}): input ${windows.length}x${inputSize.height}x${inputSize.width}, ONNX ${(onnxBytes / 1e6).toFixed(1)} MB, load + verify ${probe.status.loadMs} ms`);
  if (compare) console.log(`compare: ${cmpName}; max |p_model - p_compare| on a fixed input ${maxDiff(ours, theirs!).toExponential(1)}`);
  console.log(`${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, ${THREADS} threads each, Node ${process.version}, torch ${torch.ready.torch} (${torch.ready.threads} threads)`);
  console.log(`PyTorch: ${torch.ready.weights}; max |p_ort - p_torch| on a fixed input ${maxDiff(ours, torch.ready.probe).toExponential(1)}`);
  console.log(`${ROUNDS} rounds x ${SECONDS} s per side and batch, interleaved; 1-min load average at each round ${loads.map((l) => l.toFixed(1)).join(' ')}\n`);
  if (compare) {
    console.log('| Batch | model (engine) slices/s | compare (engine) slices/s | PyTorch slices/s | model / PyTorch | compare / PyTorch | model / compare |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|');
    for (const b of BATCHES) {
      console.log(`| ${b} | ${col('model', b)} | ${col('compare', b)} | ${col('torch', b)} | **${summary(per('model', 'torch', b), 2)}×** | ${summary(per('compare', 'torch', b), 2)}× | ${summary(per('model', 'compare', b), 2)}× |`);
    }
  } else {
    console.log('| Batch | onnxruntime-node (engine) slices/s | PyTorch slices/s | ONNX / PyTorch (per pair) |');
    console.log('|---:|---:|---:|---:|');
    for (const b of BATCHES) console.log(`| ${b} | ${col('model', b)} | ${col('torch', b)} | **${summary(per('model', 'torch', b), 2)}×** |`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
