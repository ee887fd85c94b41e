/**
 * Golden test: CT-ICH HU reconstruction in TypeScript (server/evaluation/ctich-hu.ts, used by
 * `npm run evaluate -- --ctich`) equals the training recipe's (models/training/hu_reconstruction.py)
 * bit for bit, with and without the bone twin. Synthetic grey images cover every branch: both
 * saturation margins, the unsaturated range, bone grey 0 (air) and bright bone. Needs
 * /usr/bin/python3 with numpy; skipped (with the reason) otherwise.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { reconstructCtIchHu } from '@/server/evaluation/ctich-hu';

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
if (skipReason) console.warn(`CT-ICH HU golden test skipped: ${skipReason}`);

/** Deterministic grey images: every brain grey 0..255 paired with a spread of bone greys. */
function greys(rows: number, columns: number): { brain: Uint8Array; bone: Uint8Array } {
  const n = rows * columns;
  const brain = new Uint8Array(n);
  const bone = new Uint8Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    brain[i] = i % 256;
    const r = s >>> 24;
    bone[i] = r < 40 ? 0 : r < 60 ? 255 : r; // air, bright bone, and everything between
  }
  return { brain, bone };
}

const PY_SCRIPT = `
import sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from hu_reconstruction import reconstruct_hu
rows, cols = int(sys.argv[2]), int(sys.argv[3])
brain = np.fromfile(sys.argv[4], dtype=np.uint8).reshape(rows, cols)
bone = np.fromfile(sys.argv[5], dtype=np.uint8).reshape(rows, cols)
reconstruct_hu(brain, bone).astype("<f4").tofile(sys.argv[6])
reconstruct_hu(brain, None).astype("<f4").tofile(sys.argv[7])
`;

describe.skipIf(skipReason !== undefined)('CT-ICH HU golden: hu_reconstruction.py == reconstructCtIchHu', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctich-hu-golden-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rows = 48;
  const columns = 64;
  const { brain, bone } = greys(rows, columns);
  const files = ['brain.u8', 'bone.u8', 'with-bone.f32', 'no-bone.f32'].map((f) => join(dir, f));
  let ran = false;
  function runPython(): void {
    if (ran) return;
    writeFileSync(files[0]!, brain);
    writeFileSync(files[1]!, bone);
    execFileSync(PYTHON, ['-c', PY_SCRIPT, TRAINING_DIR, String(rows), String(columns), ...files], { stdio: ['ignore', 'ignore', 'pipe'] });
    ran = true;
  }
  function readF32(file: string): Float32Array {
    const buf = readFileSync(file);
    return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  }

  it('with the bone twin: identical HU', () => {
    runPython();
    const py = readF32(files[2]!);
    const ts = reconstructCtIchHu(brain, bone, rows, columns).hu;
    expect(ts.length).toBe(py.length);
    let maxDiff = 0;
    for (let i = 0; i < ts.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ts[i]! - py[i]!));
    expect(maxDiff).toBe(0);
  });

  it('without the bone twin: identical HU', () => {
    runPython();
    const py = readF32(files[3]!);
    const ts = reconstructCtIchHu(brain, null, rows, columns).hu;
    let maxDiff = 0;
    for (let i = 0; i < ts.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ts[i]! - py[i]!));
    expect(maxDiff).toBe(0);
  });
});
