import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { resampleTable, resize } from './resize';

/** A rows x cols image whose pixel (r, c) is f(r, c). */
function image(rows: number, cols: number, f: (r: number, c: number) => number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = f(r, c);
  return out;
}

describe('resize, area', () => {
  it('shrinks a 4x4 to 2x2 as the means of the 2x2 blocks', () => {
    // 1  2  3  4
    // 5  6  7  8
    // 9 10 11 12
    // 13 14 15 16
    const src = image(4, 4, (r, c) => r * 4 + c + 1);
    expect(Array.from(resize(src, 4, 4, 2, 2, 'area'))).toEqual([3.5, 5.5, 11.5, 13.5]);
  });

  it('shrinks by a non-integer factor with fractional overlaps (3 -> 2)', () => {
    // Output 0 covers source [0, 1.5): 2/3 of pixel 0 and 1/3 of pixel 1; output 1 the rest.
    const src = Float32Array.from([0, 3, 6]);
    const out = resize(src, 1, 3, 1, 2, 'area');
    expect(out[0]).toBeCloseTo((2 / 3) * 0 + (1 / 3) * 3, 6);
    expect(out[1]).toBeCloseTo((1 / 3) * 3 + (2 / 3) * 6, 6);
  });

  it('handles non-square sizes: 4x6 -> 2x3 block means, 2x4 -> 1x1 the mean', () => {
    const src = image(4, 6, (r, c) => 10 * r + c);
    // block (rows 0-1, cols 0-1): 0 1 10 11 -> 5.5; each block right adds 2, each block down adds 20.
    expect(Array.from(resize(src, 4, 6, 2, 3, 'area'))).toEqual([5.5, 7.5, 9.5, 25.5, 27.5, 29.5]);
    expect(Array.from(resize(image(2, 4, (r, c) => r * 4 + c), 2, 4, 1, 1, 'area'))).toEqual([3.5]);
  });

  it('keeps a constant image constant for any factor (weights sum to 1)', () => {
    const out = resize(new Float32Array(7 * 5).fill(0.3), 7, 5, 3, 4, 'area');
    for (const v of out) expect(v).toBeCloseTo(0.3, 6);
  });

  it('upsamples a pixel it fully covers as a copy (2 -> 4)', () => {
    expect(Array.from(resize(Float32Array.from([1, 5]), 1, 2, 1, 4, 'area'))).toEqual([1, 1, 5, 5]);
  });
});

describe('resize, bilinear (align_corners=false, edge clamp)', () => {
  it('upsamples 1x2 -> 1x4 to the hand-computed values', () => {
    // Output x maps to source (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> clamped 0, 0.25, 0.75, 1.
    expect(Array.from(resize(Float32Array.from([0, 4]), 1, 2, 1, 4, 'bilinear'))).toEqual([0, 1, 3, 4]);
  });

  it('shrinks 4x4 -> 2x2 exactly at the centres of the 2x2 blocks', () => {
    const src = image(4, 4, (r, c) => r * 4 + c + 1);
    expect(Array.from(resize(src, 4, 4, 2, 2, 'bilinear'))).toEqual([3.5, 5.5, 11.5, 13.5]);
  });

  it('samples a 3x3 -> 2x2 at source 0.25 and 1.75 in both directions', () => {
    const src = image(3, 3, (r, c) => 3 * r + c); // a plane: bilinear reproduces it exactly
    const out = resize(src, 3, 3, 2, 2, 'bilinear');
    const at = (y: number, x: number) => 3 * y + x;
    expect(Array.from(out).map((v) => Number(v.toFixed(6)))).toEqual([at(0.25, 0.25), at(0.25, 1.75), at(1.75, 0.25), at(1.75, 1.75)]);
  });

  it('does not blur when shrinking (no antialiasing, like OpenCV/PyTorch): 1x6 -> 1x2', () => {
    // Outputs sample source 1.0 and 4.0 exactly.
    expect(Array.from(resize(Float32Array.from([0, 10, 20, 30, 40, 50]), 1, 6, 1, 2, 'bilinear'))).toEqual([10, 40]);
  });
});

describe('resize, shared behaviour', () => {
  it('returns an identical copy when the size does not change', () => {
    const src = image(3, 5, (r, c) => r - c * 0.5);
    for (const mode of ['area', 'bilinear'] as const) {
      const out = resize(src, 3, 5, 3, 5, mode);
      expect(out).not.toBe(src);
      expect(Array.from(out)).toEqual(Array.from(src));
    }
  });

  it('writes into a caller buffer', () => {
    const out = new Float32Array(4);
    expect(resize(image(4, 4, () => 2), 4, 4, 2, 2, 'area', out)).toBe(out);
    expect(Array.from(out)).toEqual([2, 2, 2, 2]);
  });

  it('refuses a pixel count that does not match the stated size, with a typed error', () => {
    let caught: unknown;
    try {
      resize(new Float32Array(15), 4, 4, 2, 2, 'area');
    } catch (err) {
      caught = err;
    }
    expect(isAppError(caught, 'INTERNAL')).toBe(true);
    expect(() => resize(new Float32Array(16), 4, 4, 2, 2, 'area', new Float32Array(5))).toThrow(/out has 5 elements, expected 2x2/);
  });
});

describe('resampleTable', () => {
  it('pads short outputs with zero weights on a valid index and marks the rows it reads', () => {
    const t = resampleTable('bilinear', 2, 4);
    expect(t.taps).toBe(2);
    expect(Array.from(t.index)).toEqual([0, 0, 0, 1, 0, 1, 1, 1]);
    expect(Array.from(t.weight)).toEqual([1, 0, 0.75, 0.25, 0.25, 0.75, 1, 0]);
    expect(Array.from(t.used)).toEqual([1, 1]);
  });

  it('flags the exact 2x shrink so hot loops can skip the lookups', () => {
    expect(resampleTable('area', 512, 256).halving).toBe(true);
    expect(resampleTable('bilinear', 512, 256).halving).toBe(true);
    expect(resampleTable('area', 512, 224).halving).toBe(false);
    expect(resampleTable('area', 512, 224).taps).toBe(4);
  });

  it('is cached per (mode, sizes) and rejects non-positive sizes', () => {
    expect(resampleTable('area', 300, 128)).toBe(resampleTable('area', 300, 128));
    expect(() => resampleTable('area', 0, 4)).toThrow(/positive integers/);
    expect(() => resampleTable('area', 4, 2.5)).toThrow(/positive integers/);
  });
});
