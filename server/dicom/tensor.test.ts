import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { DEFAULT_PREPROCESS, type PreprocessSpec } from '@/lib/model-manifest';
import { resize } from './resize';
import { buildTensor, tensorLength, writeTensorToBatch } from './tensor';
import type { HuImage } from './types';
import { applyWindow } from './windows';

const BRAIN = { name: 'brain', center: 40, width: 80 };
const SUBDURAL = { name: 'subdural', center: 80, width: 200 };
const BONE = { name: 'bone', center: 600, width: 2800 };
const SOFT = { name: 'soft', center: 40, width: 380 };

function spec(over: Partial<PreprocessSpec> = {}): PreprocessSpec {
  const windows = over.windows ?? [BRAIN, SUBDURAL, BONE];
  return {
    windows,
    inputSize: { height: 2, width: 2 },
    resize: 'area',
    normalisation: { mean: windows.map(() => 0), std: windows.map(() => 1) },
    ...over,
  };
}

function huImage(rows: number, columns: number, f: (r: number, c: number) => number): HuImage {
  const hu = new Float32Array(rows * columns);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) hu[r * columns + c] = f(r, c);
  return { rows, columns, hu };
}

/** The reference definition, stage by stage: window the full image, resize, normalise. */
function reference(img: HuImage, s: PreprocessSpec): Float32Array {
  const { height, width } = s.inputSize;
  const out = new Float32Array(tensorLength(s));
  s.windows.forEach((w, c) => {
    const plane = resize(applyWindow(img.hu, w), img.rows, img.columns, height, width, s.resize);
    for (let i = 0; i < plane.length; i++) out[c * height * width + i] = (plane[i]! - s.normalisation.mean[c]!) / s.normalisation.std[c]!;
  });
  return out;
}

describe('buildTensor', () => {
  it('windows first, then averages: skull next to brain gives 0.75 in the brain window, not 1', () => {
    // Each 2x2 block is two brain pixels (40 HU) and two skull pixels (1000 HU). Resizing HU first
    // would give 520 HU -> 1.0 in the brain and subdural windows.
    const img = huImage(4, 4, (_r, c) => (c % 2 === 0 ? 40 : 1000));
    const t = buildTensor(img, spec());
    const bone = (1000 - -800) / 2800;
    const boneBrain = (40 - -800) / 2800;
    expect(Array.from(t.subarray(0, 4))).toEqual([0.75, 0.75, 0.75, 0.75]); // (0.5 + 1) / 2
    expect(Array.from(t.subarray(4, 8))).toEqual([0.65, 0.65, 0.65, 0.65].map(Math.fround)); // (0.3 + 1) / 2
    for (const v of t.subarray(8, 12)) expect(v).toBeCloseTo((bone + boneBrain) / 2, 6);
  });

  it('lays channels out CHW in manifest order, with exact values for a known 4x4', () => {
    // Rows of 2x2 blocks: top-left all 0 HU, top-right 80, bottom-left -1024, bottom-right 2000.
    const img = huImage(4, 4, (r, c) => (r < 2 ? (c < 2 ? 0 : 80) : c < 2 ? -1024 : 2000));
    const t = buildTensor(img, spec({ windows: [BONE, BRAIN, SUBDURAL] }));
    expect(t.length).toBe(3 * 2 * 2);
    expect(Array.from(t.subarray(4, 8))).toEqual([0, 1, 0, 1]); // brain, second
    // subdural: 0 HU is 20/200 computed in float32 as 20 * f32(1/200), like the numpy mirror.
    expect(Array.from(t.subarray(8, 12))).toEqual([Math.fround(20 * Math.fround(1 / 200)), 0.5, 0, 1]);
    expect(t[0]).toBeCloseTo(800 / 2800, 6); // bone: 0 HU
    expect(t[2]).toBe(0); // bone: -1024 HU is below -800
    expect(t[3]).toBe(1);
  });

  it('matches the stage-by-stage definition exactly for area and bilinear, square and not', () => {
    const img = huImage(12, 10, (r, c) => Math.round(600 * Math.sin(r / 2) * Math.cos(c / 3)) - 100 + r * 7);
    for (const resizeMode of ['area', 'bilinear'] as const) {
      for (const inputSize of [{ height: 6, width: 5 }, { height: 8, width: 8 }, { height: 5, width: 3 }, { height: 16, width: 20 }, { height: 12, width: 10 }]) {
        const s = spec({ inputSize, resize: resizeMode });
        expect(Array.from(buildTensor(img, s))).toEqual(Array.from(reference(img, s)));
      }
    }
  });

  it('keeps the size when input and model sizes agree (identity resize)', () => {
    const img = huImage(3, 4, (r, c) => r * 30 + c * 5);
    const t = buildTensor(img, spec({ windows: [BRAIN], inputSize: { height: 3, width: 4 } }));
    expect(Array.from(t)).toEqual(Array.from(applyWindow(img.hu, BRAIN)));
  });

  it('applies the manifest normalisation (x - mean) / std per channel', () => {
    const img = huImage(2, 2, () => 40); // brain 0.5, soft (40-(-150))/380 = 0.5
    const t = buildTensor(img, spec({ windows: [BRAIN, SOFT], inputSize: { height: 1, width: 1 }, normalisation: { mean: [0.25, 0.5], std: [0.5, 2] } }));
    expect(t[0]).toBeCloseTo((0.5 - 0.25) / 0.5, 6);
    expect(t[1]).toBeCloseTo(0, 6);
  });

  it('takes its channel count from the manifest: 1, 3 or 5 windows', () => {
    const img = huImage(8, 8, (r, c) => r * c);
    for (const windows of [[BRAIN], [BRAIN, SUBDURAL, BONE], [BRAIN, SUBDURAL, BONE, SOFT, BRAIN]]) {
      const s = spec({ windows, inputSize: { height: 4, width: 4 } });
      expect(buildTensor(img, s).length).toBe(windows.length * 16);
      expect(tensorLength(s)).toBe(windows.length * 16);
    }
    expect(tensorLength(DEFAULT_PREPROCESS)).toBe(3 * 256 * 256);
  });

  it('produces the default 3x256x256 from a 512x512 slice, all values in [0,1]', () => {
    const img = huImage(512, 512, (r, c) => ((r * 7 + c * 13) % 3000) - 1024);
    const t = buildTensor(img, DEFAULT_PREPROCESS);
    expect(t.length).toBe(3 * 256 * 256);
    expect(Array.from(t.subarray(0, 1024)).every((v) => v >= 0 && v <= 1)).toBe(true);
    const s = { ...DEFAULT_PREPROCESS };
    expect(Array.from(buildTensor(img, s).subarray(65536 * 2, 65536 * 2 + 512))).toEqual(Array.from(reference(img, s).subarray(65536 * 2, 65536 * 2 + 512)));
  });

  it('writes into a caller buffer and into slot i of a batch without touching the others', () => {
    const s = spec({ windows: [BRAIN] });
    const img = huImage(4, 4, () => 60);
    const batch = new Float32Array(3 * 4).fill(-7);
    writeTensorToBatch(img, s, batch, 1);
    expect(Array.from(batch)).toEqual([-7, -7, -7, -7, 0.75, 0.75, 0.75, 0.75, -7, -7, -7, -7]);
    expect(() => writeTensorToBatch(img, s, batch, 3)).toThrow(/no slot 3/);
  });

  it('rejects a pixel count that does not match rows x columns with a typed error', () => {
    let caught: unknown;
    try {
      buildTensor({ rows: 4, columns: 4, hu: new Float32Array(15) }, spec());
    } catch (err) {
      caught = err;
    }
    expect(isAppError(caught, 'INTERNAL')).toBe(true);
    expect(() => buildTensor(huImage(4, 4, () => 0), spec(), new Float32Array(11))).toThrow(/tensor buffer has 11 values, expected 3x2x2/);
  });

  it('rejects a spec whose normalisation does not have one entry per window', () => {
    let caught: unknown;
    try {
      buildTensor(huImage(4, 4, () => 0), spec({ normalisation: { mean: [0, 0], std: [1, 1] } }));
    } catch (err) {
      caught = err;
    }
    expect(isAppError(caught, 'MODEL_MANIFEST_INVALID')).toBe(true);
  });
});
