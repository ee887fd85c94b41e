import { describe, expect, it } from 'vitest';
import { createRandom, deriveSeed } from './random';

describe('createRandom', () => {
  it('repeats the same stream for the same seed and differs for another', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const sa = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('keeps every draw inside its range, with a plausible mean and sd', () => {
    const r = createRandom(7);
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < 20_000; i++) {
      const u = r.uniform(-2, 3);
      expect(u).toBeGreaterThanOrEqual(-2);
      expect(u).toBeLessThan(3);
      const k = r.int(1, 6);
      expect(Number.isInteger(k) && k >= 1 && k <= 6).toBe(true);
      const g = r.normal(10, 2);
      sum += g;
      sq += g * g;
    }
    const mean = sum / 20_000;
    expect(mean).toBeCloseTo(10, 1);
    expect(Math.sqrt(sq / 20_000 - mean * mean)).toBeCloseTo(2, 1);
    expect(() => r.pick([])).toThrow(RangeError);
  });
});

describe('deriveSeed', () => {
  it('is stable, order-sensitive and separates numbers from strings', () => {
    expect(deriveSeed(1, 'noise', 3)).toBe(deriveSeed(1, 'noise', 3));
    expect(deriveSeed(1, 'noise', 3)).not.toBe(deriveSeed(1, 3, 'noise'));
    expect(deriveSeed(1, '2')).not.toBe(deriveSeed(1, 2));
    expect(deriveSeed(0)).toBeGreaterThanOrEqual(0);
    expect(deriveSeed(0)).toBeLessThan(2 ** 32);
  });
});
