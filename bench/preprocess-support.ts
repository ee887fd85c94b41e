import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { PreprocessSpec } from '@/lib/model-manifest';
import { decodePixels, parseDicom, toHounsfield } from '@/server/dicom';
import { buildTensorFromStored } from '@/server/dicom/stored-tensor';
import { buildTensor, tensorLength } from '@/server/dicom/tensor';

/** Debian's interpreter, where python3-pydicom and python3-numpy live (not a pyenv shim). */
const PYTHON = '/usr/bin/python3';
// One thread for numpy's BLAS too: the comparison is one core against one core.
const SINGLE_THREAD = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
}

/**
 * Re-runs this script pinned to `cpu` with taskset (GC and compiler threads included) and exits
 * with its status; returns at once inside the pinned child, or when taskset is missing.
 */
export function pinSelf(cpu: number): void {
  if (process.env.BENCH_PINNED === '1') return;
  if (!hasTaskset()) {
    console.warn('taskset not found: running unpinned, figures are not per core');
    return;
  }
  const child = spawnSync('taskset', ['-c', String(cpu), process.execPath, ...process.execArgv, process.argv[1]!, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, ...SINGLE_THREAD, BENCH_PINNED: '1' },
  });
  process.exit(child.status ?? 1);
}

/** How long one pass took: wall clock and the process's CPU time, in seconds. */
export interface Seconds {
  wall: number;
  cpu: number;
}

export type PythonResult = { ok: true; seconds: Seconds[]; slices: number } | { ok: false; error: string };

/** Runs the Python reference on `files` (single-threaded; pinned by inheritance) and parses its JSON line. */
export function python(root: string, job: { files: string[]; spec: PreprocessSpec; warmup: number; passes: number; dump: string | null }): PythonResult {
  const { spec } = job;
  const config = {
    files: job.files,
    windows: spec.windows.map((w) => [w.center, w.width]),
    height: spec.inputSize.height,
    width: spec.inputSize.width,
    resize: spec.resize,
    mean: spec.normalisation.mean,
    std: spec.normalisation.std,
    warmup: job.warmup,
    passes: job.passes,
    dump: job.dump,
  };
  const script = join(root, 'bench', 'python', 'preprocess_reference.py');
  const run = spawnSync(PYTHON, [script, JSON.stringify(config)], { env: { ...process.env, ...SINGLE_THREAD }, encoding: 'utf8' });
  if (run.status !== 0) return { ok: false, error: `python exited ${run.status}: ${run.stderr.trim().split('\n').at(-1) ?? ''}` };
  return JSON.parse(run.stdout) as PythonResult;
}

/** "Python 3.11.2, numpy 1.24.2, pydicom 2.3.1", or why not. */
export function pythonVersions(): string {
  try {
    const code = 'import sys, numpy, pydicom; print(f"Python {sys.version.split()[0]}, numpy {numpy.__version__}, pydicom {pydicom.__version__}")';
    return execFileSync(PYTHON, ['-c', code], { encoding: 'utf8' }).trim();
  } catch {
    return 'Python reference unavailable (needs /usr/bin/python3 with python3-pydicom, python3-numpy)';
  }
}

/** CPU milliseconds (this process, all threads) since `since`. */
const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

/**
 * Median per-slice CPU milliseconds of each Node stage over `passes` passes of `files`. CPU time,
 * not wall clock: on a shared machine a slice's wall time mostly measures who else ran.
 */
export async function nodeStages(files: Uint8Array[], spec: PreprocessSpec, passes: number): Promise<Record<string, number>> {
  const tensor = new Float32Array(tensorLength(spec));
  const hu = new Float32Array(512 * 512);
  const times: Record<string, number[]> = { parse: [], decode: [], hu: [], 'windows+resize': [], 'fused stored->tensor': [] };
  for (let p = 0; p < passes; p++) {
    for (const bytes of files) {
      let t = process.cpuUsage();
      const parsed = parseDicom(bytes);
      times.parse!.push(cpuMs(t));
      t = process.cpuUsage();
      const frame = await decodePixels(parsed);
      times.decode!.push(cpuMs(t));
      t = process.cpuUsage();
      const image = toHounsfield(parsed.header, frame, frame.pixels.length <= hu.length ? hu : undefined);
      times.hu!.push(cpuMs(t));
      t = process.cpuUsage();
      buildTensor(image, spec, tensor);
      times['windows+resize']!.push(cpuMs(t));
      t = process.cpuUsage();
      buildTensorFromStored(parsed.header, frame, spec, tensor); // replaces hu + windows+resize
      times['fused stored->tensor']!.push(cpuMs(t));
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}
