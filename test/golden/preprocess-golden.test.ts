/**
 * Golden test: the Python preprocessing the model was trained with (models/training/preprocess.py)
 * and the TypeScript pipeline the server runs (server/dicom/tensor.ts buildTensor) must produce the
 * same tensor from the same HU image, for both resize modes, down- and upsampling, non-square
 * images and non-trivial normalisation. Needs /usr/bin/python3 with numpy; skipped (with the reason)
 * otherwise.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { PreprocessSpec } from '@/lib/model-manifest';
import type { HuImage } from '@/server/dicom';
import { buildTensor } from '@/server/dicom/tensor';

const PYTHON = '/usr/bin/python3';
const TRAINING_DIR = fileURLToPath(new URL('../../models/training', import.meta.url));

function pythonWithNumpy(): string | undefined {
  try {
    execFileSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `${PYTHON} with numpy is not available`;
  }
}
const skipReason = pythonWithNumpy();
if (skipReason) console.warn(`preprocess golden test skipped: ${skipReason}`);

/** A deterministic head-like HU image: air, skull ring, brain with a gradient, a bleed, fine texture. */
function phantom(rows: number, columns: number): HuImage {
  const hu = new Float32Array(rows * columns);
  const cy = rows / 2;
  const cx = columns / 2;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      const dy = (y - cy) / (rows * 0.42);
      const dx = (x - cx) / (columns * 0.38);
      const r = Math.sqrt(dx * dx + dy * dy);
      let v = -1000;
      if (r < 1) v = 1200 + 400 * Math.sin(x * 0.7); // skull
      if (r < 0.9) v = 30 + 15 * dy + 8 * Math.sin(x * 1.3 + y * 0.9); // brain, gradient + texture
      if (r < 0.9 && (x - cx * 1.2) ** 2 + (y - cy * 0.8) ** 2 < 40) v = 70; // hyperdense blob
      if (r < 0.9 && r > 0.82) v = 60 + 30 * Math.cos(y * 0.5); // thin extra-axial rim
      hu[y * columns + x] = v + ((x * 7 + y * 13) % 11) - 5; // deterministic "noise"
    }
  }
  return { rows, columns, hu };
}

const SPEC_BASE: Omit<PreprocessSpec, 'inputSize' | 'resize'> = {
  windows: [
    { name: 'brain', center: 40, width: 80 },
    { name: 'subdural', center: 80, width: 200 },
    { name: 'bone', center: 600, width: 2800 },
  ],
  normalisation: { mean: [0.1, 0.2, 0.05], std: [0.5, 0.25, 1.5] },
};

const CASES: Array<{ rows: number; columns: number; height: number; width: number; resize: PreprocessSpec['resize'] }> = [
  { rows: 173, columns: 211, height: 64, width: 48, resize: 'area' },
  { rows: 173, columns: 211, height: 64, width: 48, resize: 'bilinear' },
  { rows: 130, columns: 130, height: 128, width: 128, resize: 'area' },
  { rows: 130, columns: 130, height: 128, width: 128, resize: 'bilinear' },
  { rows: 40, columns: 56, height: 72, width: 61, resize: 'area' },
  { rows: 40, columns: 56, height: 72, width: 61, resize: 'bilinear' },
  { rows: 64, columns: 64, height: 64, width: 64, resize: 'area' },
];

const PY_SCRIPT = `
import json, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from preprocess import PreprocessSpec, Window, build_tensor
job = json.load(open(sys.argv[2]))
for k, case in enumerate(job["cases"]):
    hu = np.fromfile(case["hu"], dtype="<f4").reshape(case["rows"], case["columns"])
    s = case["spec"]
    spec = PreprocessSpec(tuple(Window(w["name"], w["center"], w["width"]) for w in s["windows"]),
                          s["inputSize"]["height"], s["inputSize"]["width"], s["resize"],
                          tuple(s["normalisation"]["mean"]), tuple(s["normalisation"]["std"]))
    build_tensor(hu, spec).astype("<f4").tofile(case["out"])
`;

describe.skipIf(skipReason !== undefined)('preprocess golden: models/training/preprocess.py == buildTensor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'preprocess-golden-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const jobs = CASES.map((c, k) => {
    const image = phantom(c.rows, c.columns);
    const spec: PreprocessSpec = { ...SPEC_BASE, inputSize: { height: c.height, width: c.width }, resize: c.resize };
    const huFile = join(dir, `hu-${k}.bin`);
    writeFileSync(huFile, Buffer.from(image.hu.buffer, image.hu.byteOffset, image.hu.byteLength));
    return { ...c, image, spec, huFile, outFile: join(dir, `out-${k}.bin`) };
  });

  let ran = false;
  function runPython(): void {
    if (ran) return;
    const jobFile = join(dir, 'job.json');
    const cases = jobs.map((j) => ({ hu: j.huFile, rows: j.rows, columns: j.columns, spec: j.spec, out: j.outFile }));
    writeFileSync(jobFile, JSON.stringify({ cases }));
    execFileSync(PYTHON, ['-c', PY_SCRIPT, TRAINING_DIR, jobFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    ran = true;
  }

  for (const job of jobs) {
    it(`${job.resize} ${job.rows}x${job.columns} -> ${job.height}x${job.width}: max abs diff < 1e-5`, () => {
      runPython();
      const buf = readFileSync(job.outFile);
      const py = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
      const ts = buildTensor(job.image, job.spec);
      expect(py.length).toBe(ts.length);
      let maxDiff = 0;
      for (let i = 0; i < ts.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ts[i]! - py[i]!));
      expect(maxDiff).toBeLessThan(1e-5);
      // the tensor is not trivially constant: both saturated ends and mid-range values occur
      const unit = Array.from(ts.subarray(0, job.height * job.width), (v) => v * 0.5 + 0.1);
      expect(Math.min(...unit)).toBeLessThan(0.01);
      expect(Math.max(...unit)).toBeGreaterThan(0.99);
    });
  }
});
