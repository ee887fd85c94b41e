import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { applyWindow, windowLinear, windowRow, windowValue } from './windows';

const BRAIN = { center: 40, width: 80 }; // 0 .. 80 HU
const SUBDURAL = { center: 80, width: 200 }; // -20 .. 180 HU
const BONE = { center: 600, width: 2800 }; // -800 .. 2000 HU

describe('windowValue', () => {
  it('maps the window edges to 0 and 1 and the centre to 0.5', () => {
    expect(windowValue(0, BRAIN)).toBe(0);
    expect(windowValue(80, BRAIN)).toBe(1);
    expect(windowValue(40, BRAIN)).toBe(0.5);
    expect(windowValue(-20, SUBDURAL)).toBe(0);
    expect(windowValue(180, SUBDURAL)).toBe(1);
    expect(windowValue(600, BONE)).toBe(0.5);
  });

  it('is linear inside the window: (hu - lower) / width, in float32', () => {
    expect(windowValue(60, BRAIN)).toBe(0.75);
    expect(windowValue(30, SUBDURAL)).toBe(0.25);
    expect(windowValue(20, BRAIN)).toBe(Math.fround(20 * Math.fround(1 / 80)));
    expect(windowValue(1, BRAIN)).toBeCloseTo(1 / 80, 7);
  });

  it('clamps below and above the window', () => {
    expect(windowValue(-1, BRAIN)).toBe(0);
    expect(windowValue(-1024, BRAIN)).toBe(0);
    expect(windowValue(81, BRAIN)).toBe(1);
    expect(windowValue(3071, BRAIN)).toBe(1);
    expect(windowValue(-801, BONE)).toBe(0);
    expect(windowValue(2001, BONE)).toBe(1);
  });
});

describe('windowLinear', () => {
  it('holds the lower bound and the reciprocal width as float32', () => {
    expect(windowLinear(BRAIN)).toEqual({ lower: 0, invWidth: Math.fround(1 / 80) });
    expect(windowLinear({ center: 40.3, width: 380 })).toEqual({ lower: Math.fround(40.3 - 190), invWidth: Math.fround(1 / 380) });
  });

  it('rejects a window with no positive finite width with a typed error', () => {
    for (const bad of [{ center: 40, width: 0 }, { center: 40, width: -80 }, { center: 40, width: Number.NaN }, { center: Number.NaN, width: 80 }]) {
      let caught: unknown;
      try {
        windowLinear(bad);
      } catch (err) {
        caught = err;
      }
      expect(isAppError(caught, 'MODEL_MANIFEST_INVALID')).toBe(true);
    }
  });
});

describe('windowRow and applyWindow', () => {
  it('window a strip of pixels with the same values as windowValue', () => {
    const hu = Float32Array.from([-2000, -1, 0, 10, 40, 79, 80, 81, 1000, 12.5]);
    const out = applyWindow(hu, BRAIN);
    expect(Array.from(out)).toEqual(Array.from(hu, (v) => windowValue(v, BRAIN)));
    expect(Array.from(out.subarray(0, 9))).toEqual([0, 0, 0, 0.125, 0.5, Math.fround(79 * Math.fround(1 / 80)), 1, 1, 1]);
  });

  it('reads and writes at the given offsets only', () => {
    const src = Float32Array.from([999, 999, 20, 60, 999]);
    const dst = new Float32Array(6).fill(-1);
    windowRow(src, 2, 2, windowLinear(BRAIN), dst, 3);
    expect(Array.from(dst)).toEqual([-1, -1, -1, 0.25, 0.75, -1]);
  });

  it('writes into a caller buffer and refuses one of the wrong length', () => {
    const hu = Float32Array.from([0, 40, 80]);
    const out = new Float32Array(3);
    expect(applyWindow(hu, BRAIN, out)).toBe(out);
    expect(Array.from(out)).toEqual([0, 0.5, 1]);
    expect(() => applyWindow(hu, BRAIN, new Float32Array(2))).toThrow(/window output has 2 values, the image has 3/);
  });
});
