import type { Random } from './random';
import type { PixelFormat } from './types';

/** How each PixelFormat stores HU: signedness, Bits Stored, Rescale Intercept, HU range kept. */
export const STORAGE: Record<PixelFormat, { signed: boolean; bitsStored: 16 | 12; intercept: number; minHu: number; maxHu: number }> = {
  int16: { signed: true, bitsStored: 16, intercept: -1024, minHu: -31744, maxHu: 31743 },
  'int16-hu': { signed: true, bitsStored: 16, intercept: 0, minHu: -32768, maxHu: 32767 },
  uint12: { signed: false, bitsStored: 12, intercept: -1024, minHu: -1024, maxHu: 3071 },
  // Stored = HU mod 4096 with intercept 0; the decoder's RSNA correction ((v + 1000) mod 4096 - 1000)
  // is exact only for HU in [-1000, 3095].
  'uint12-rsna': { signed: false, bitsStored: 12, intercept: 0, minHu: -1000, maxHu: 3095 },
};

/** Length of a noise table: a power of two, larger than any row so shifted reads never line up. */
const NOISE_TABLE = 1 << 17;

/**
 * Standard normal values (Box–Muller) from `rng`, to be read at random row offsets by storePixels:
 * drawing a fresh normal per pixel costs more than the whole anatomy, and CT noise with a shifted
 * pattern per row is indistinguishable to the eye and to the model.
 */
export function createNoiseTable(rng: Random): Float32Array {
  const table = new Float32Array(NOISE_TABLE);
  for (let i = 0; i < NOISE_TABLE; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const angle = 2 * Math.PI * rng.next();
    table[i] = radius * Math.cos(angle);
    table[i + 1] = radius * Math.sin(angle);
  }
  return table;
}

/**
 * Adds noise (sd `noiseSd` HU: `table` read from a row offset drawn from `rng`) to `hu` (rows of
 * `width`), rounds to whole HU, clamps to what `format` can hold and returns the stored values.
 */
export function storePixels(hu: Float32Array, width: number, format: PixelFormat, noiseSd: number, table: Float32Array, rng: Random): Int16Array | Uint16Array {
  const s = STORAGE[format];
  const n = hu.length;
  const out = s.signed ? new Int16Array(n) : new Uint16Array(n);
  const rsna = format === 'uint12-rsna';
  const mask = table.length - 1;
  for (let row = 0; row * width < n; row++) {
    const offset = rng.nextUint32() & mask;
    const end = Math.min(n, (row + 1) * width);
    for (let p = row * width, q = offset; p < end; p++, q = (q + 1) & mask) {
      let v = Math.round(hu[p]! + noiseSd * table[q]!);
      v = v < s.minHu ? s.minHu : v > s.maxHu ? s.maxHu : v;
      out[p] = rsna ? (v + 4096) % 4096 : v - s.intercept;
    }
  }
  return out;
}
