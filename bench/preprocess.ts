/**
 * Throughput of decode -> HU -> windows -> resize on 512x512 CT slices, Node against the Python
 * reference (bench/python/preprocess_reference.py: pydicom + numpy) on the same files in the same
 * run. Both are pinned to one core; rounds alternate Node and Python so background load hits both
 * alike, and the ratio is taken per round. Node runs two ways in every round: the two-step path
 * (toHounsfield, then buildTensor on the HU image) and the fused one (buildTensorFromStored: a
 * table from stored value to every window's output, read once per pixel), which must give the
 * same tensor bit for bit. Usage:
 *   tsx bench/preprocess.ts [--rounds 5] [--passes 3] [--cpu 0] [--synthetic 32] [--no-pin] [--model MANIFEST.json]
 * --model: build what the analysis builds per slice for that model (one plane per distinct window
 * at its input size, server/analysis/model-planes.ts) instead of the default three windows at 256.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PREPROCESS } from '@/lib/model-manifest';
import { planeLayout } from '@/server/analysis/model-planes';
import { decodePixels, parseDicom, preloadCodecs, toHounsfield } from '@/server/dicom';
import type { StoredArray } from '@/server/dicom';
import { buildTensorFromStored } from '@/server/dicom/stored-tensor';
import { buildTensor, tensorLength } from '@/server/dicom/tensor';
import { parseManifest } from '@/server/inference/load-manifest';
import { prepareInputs, type InputSet } from './preprocess-inputs';
import { median, nodeStages, pinSelf, python, pythonVersions, type Seconds } from './preprocess-support';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = flag('rounds', 5);
const PASSES = flag('passes', 3);
const CPU = flag('cpu', 0);
const SYNTHETIC = flag('synthetic', 32);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REAL_DIR = join(ROOT, '..', 'shared', 'data', 'dicom', 'ge-head-ct');
const modelAt = args.indexOf('--model');
const SPEC = modelAt >= 0 ? planeLayout(parseManifest(readFileSync(args[modelAt + 1]!, 'utf8'), args[modelAt + 1]!).preprocess).planeSpec : DEFAULT_PREPROCESS;

if (!args.includes('--no-pin')) pinSelf(CPU); // re-runs this script under taskset; returns when pinned

// Buffers reused across slices, as a decode worker would hold them.
const tensor = new Float32Array(tensorLength(SPEC));
let hu: Float32Array = new Float32Array(512 * 512);
let stored: StoredArray | undefined;

type Path = 'two-step' | 'fused';

/** The whole Node pipeline for one file; `reuse` hands compressed decoders a buffer to fill. */
async function preprocessOne(bytes: Uint8Array, reuse: boolean, path: Path): Promise<void> {
  const parsed = parseDicom(bytes);
  // Uncompressed frames are zero-copy views into `bytes`; a reused buffer would force a copy.
  const frame = await decodePixels(parsed, 0, reuse ? stored : undefined);
  if (reuse) stored = frame.pixels;
  if (path === 'fused') {
    buildTensorFromStored(parsed.header, frame, SPEC, tensor);
    return;
  }
  const image = toHounsfield(parsed.header, frame, hu.length >= frame.pixels.length ? hu : undefined);
  if (image.hu.length > hu.length) hu = image.hu;
  buildTensor(image, SPEC, tensor);
}

/** Seconds one pass over the set takes: wall clock and this process's CPU time (all threads). */
async function nodePass(set: InputSet, reuse: boolean, path: Path): Promise<Seconds> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const b of set.bytes) await preprocessOne(b, reuse, path);
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

interface NodeRow {
  /** Slices per second, one entry per pass, by CPU time and by wall clock. */
  rate: Throughput;
  /** Node / Python per round (medians of the round's passes), by CPU time and by wall clock. */
  ratios: Throughput;
  maxDiff: number | undefined;
}

interface Row {
  set: InputSet;
  node: Record<Path, NodeRow>;
  python: Throughput | string;
  /** Fused / two-step per round, by CPU time. */
  speedup: number[];
}

const PATHS: Path[] = ['two-step', 'fused'];
type Throughput = { cpu: number[]; wall: number[] };

const rates = (slices: number, passes: Seconds[]): Throughput => ({
  cpu: passes.map((p) => slices / p.cpu),
  wall: passes.map((p) => slices / p.wall),
});

async function measure(set: InputSet, tmp: string): Promise<Row> {
  const reuse = set.transferSyntax !== 'Explicit VR LE';
  for (let i = 0; i < 3; i++) for (const path of PATHS) await nodePass(set, reuse, path); // warm-up: JIT tiers, codec init, tables
  const dump = join(tmp, 'python-first.f32');
  const empty = (): NodeRow => ({ rate: { cpu: [], wall: [] }, ratios: { cpu: [], wall: [] }, maxDiff: undefined });
  const node: Record<Path, NodeRow> = { 'two-step': empty(), fused: empty() };
  const py: Throughput = { cpu: [], wall: [] };
  const speedup: number[] = [];
  let pyError: string | undefined;
  for (let r = 0; r < ROUNDS; r++) {
    const rounds = {} as Record<Path, Throughput>;
    // Alternate which path goes first so a slow stretch of background load favours neither.
    for (const path of r % 2 ? [...PATHS].reverse() : PATHS) {
      const passes: Seconds[] = [];
      for (let p = 0; p < PASSES; p++) passes.push(await nodePass(set, reuse, path));
      rounds[path] = rates(set.bytes.length, passes);
      node[path].rate.cpu.push(...rounds[path].cpu);
      node[path].rate.wall.push(...rounds[path].wall);
    }
    speedup.push(median(rounds.fused.cpu) / median(rounds['two-step'].cpu));
    if (pyError !== undefined) continue;
    const result = python(ROOT, { files: set.files, spec: SPEC, warmup: 1, passes: PASSES, dump: r === 0 ? dump : null });
    if (!result.ok) {
      pyError = result.error;
      continue;
    }
    const pyRound = rates(result.slices, result.seconds);
    py.cpu.push(...pyRound.cpu);
    py.wall.push(...pyRound.wall);
    for (const path of PATHS) {
      node[path].ratios.cpu.push(median(rounds[path].cpu) / median(pyRound.cpu));
      node[path].ratios.wall.push(median(rounds[path].wall) / median(pyRound.wall));
    }
  }
  if (pyError === undefined) {
    const ref = new Float32Array(new Uint8Array(readFileSync(dump)).buffer);
    for (const path of PATHS) {
      await preprocessOne(set.bytes[0]!, reuse, path);
      let maxDiff = 0;
      for (let i = 0; i < tensor.length; i++) maxDiff = Math.max(maxDiff, Math.abs(tensor[i]! - ref[i]!));
      node[path].maxDiff = maxDiff;
    }
  }
  return { set, node, python: pyError ?? py, speedup };
}

const fmt = (xs: number[]) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
const fmtRatio = (xs: number[]) => `**${median(xs).toFixed(2)}x** (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-preprocess-'));
  try {
    await preloadCodecs();
    const sets = prepareInputs(tmp, REAL_DIR, SYNTHETIC);
    const { height, width } = SPEC.inputSize;
    console.log(`# decode -> HU -> ${SPEC.windows.length} windows -> ${SPEC.resize} resize to ${height}x${width}, slices/s on one core`);
    console.log(`CPU ${cpus()[0]?.model ?? '?'} (${cpus().length} cores, pinned to core ${CPU}: ${process.env.BENCH_PINNED === '1'}), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`Node ${process.version}; ${pythonVersions()}; ${ROUNDS} rounds x ${PASSES} passes, median (min–max)`);
    console.log('Slices/s are per CPU-second of the pinned process (what one core sustains); ratios are per round.\n');
    const rows: Row[] = [];
    for (const set of sets) rows.push(await measure(set, tmp));
    console.log('| Input | Transfer syntax | Slices | Node path | Node slices/s | Python slices/s | Node / Python | Node / Python, wall clock | max abs diff |');
    console.log('|---|---|---:|---|---:|---:|---:|---:|---:|');
    for (const { set, node, python: py } of rows) {
      const pyCell = typeof py === 'string' ? `n/a (${py})` : fmt(py.cpu);
      for (const path of PATHS) {
        const { rate, ratios, maxDiff } = node[path];
        const ratioCell = ratios.cpu.length > 0 ? fmtRatio(ratios.cpu) : '—';
        const wallCell = ratios.wall.length > 0 ? fmtRatio(ratios.wall).replaceAll('**', '') : '—';
        const diff = maxDiff === undefined ? '—' : maxDiff.toExponential(1);
        console.log(`| ${set.name} | ${set.transferSyntax} | ${set.bytes.length} | ${path} | ${fmt(rate.cpu)} | ${pyCell} | ${ratioCell} | ${wallCell} | ${diff} |`);
      }
    }
    console.log('\nFused / two-step (CPU time, per round): ' + rows.map((r) => `${r.set.name} ${r.set.transferSyntax} ${fmtRatio(r.speedup).replaceAll('**', '')}`).join('; '));
    const first = sets[0]!;
    const stages = await nodeStages(first.bytes, SPEC, 3);
    console.log(`\nNode per-slice stages on "${first.name}" (CPU ms, median): ${Object.entries(stages).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
