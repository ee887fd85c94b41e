import { beforeAll, describe, expect, it } from 'vitest';
import { SUBTYPES } from '@/lib/labels';
import { decodePixels, parseDicom, toHounsfield } from '../dicom';
import { generatePhantomStudy } from './generate-phantom-study';
import { TISSUE, type PhantomStudy, type Subtype } from './types';

const SIZE = 256; // 0.94 mm pixels: shapes are resolved, tests stay fast
const SEEDS = [1, 2, 3];

async function huOf(bytes: Uint8Array): Promise<Float32Array> {
  const parsed = parseDicom(bytes);
  return toHounsfield(parsed.header, await decodePixels(parsed)).hu;
}

/** Pixels of `mask` with value `code`, as [row, column]. */
function pixelsOf(mask: Uint8Array, code: number): [number, number][] {
  const out: [number, number][] = [];
  for (let p = 0; p < mask.length; p++) if (mask[p] === code) out.push([Math.floor(p / SIZE), p % SIZE]);
  return out;
}

/** True when a 4-neighbour of (row, col) has tissue `t`. */
function touches(tissue: Uint8Array, [row, col]: [number, number], t: number): boolean {
  return [
    [row - 1, col],
    [row + 1, col],
    [row, col - 1],
    [row, col + 1],
  ].some(([r, c]) => r! >= 0 && r! < SIZE && c! >= 0 && c! < SIZE && tissue[r! * SIZE + c!] === t);
}

/** Centre of the head (mean of non-air pixels) as [row, column]. */
function headCentre(tissue: Uint8Array): [number, number] {
  let r = 0;
  let c = 0;
  let n = 0;
  for (let p = 0; p < tissue.length; p++) {
    if (tissue[p] === TISSUE.air) continue;
    r += Math.floor(p / SIZE);
    c += p % SIZE;
    n++;
  }
  return [r / n, c / n];
}

/** Angular extent (radians) of `pixels` seen from `centre`, assuming it is less than π. */
function angularExtent(pixels: [number, number][], [cr, cc]: [number, number]): number {
  const angles = pixels.map(([r, c]) => Math.atan2(r - cr, c - cc));
  const mean = Math.atan2(angles.reduce((s, a) => s + Math.sin(a), 0), angles.reduce((s, a) => s + Math.cos(a), 0));
  const rel = angles.map((a) => Math.atan2(Math.sin(a - mean), Math.cos(a - mean)));
  return Math.max(...rel) - Math.min(...rel);
}

const cases = SUBTYPES.flatMap((subtype) => SEEDS.map((seed) => ({ subtype, seed })));

describe.each(cases)('a $subtype bleed (seed $seed)', ({ subtype, seed }) => {
  let bleed: PhantomStudy;
  let normal: PhantomStudy;
  const code = SUBTYPES.indexOf(subtype) + 1;
  beforeAll(() => {
    bleed = generatePhantomStudy({ seed, size: SIZE, hemorrhage: subtype, withMasks: true });
    normal = generatePhantomStudy({ seed, size: SIZE, withMasks: true });
  });

  it('labels the study and a contiguous run of slices with this subtype only', () => {
    expect(bleed.truth).toEqual({ any: 1, ...Object.fromEntries(SUBTYPES.map((s) => [s, s === subtype ? 1 : 0])) });
    const positive = bleed.slices.map((s, k) => (s.truth[subtype] ? k : -1)).filter((k) => k >= 0);
    expect(positive.length).toBeGreaterThanOrEqual(1);
    expect(positive[positive.length - 1]! - positive[0]!).toBe(positive.length - 1);
    for (const s of bleed.slices) {
      expect(s.truth.any).toBe(s.truth[subtype]);
      for (const other of SUBTYPES) if (other !== subtype) expect(s.truth[other]).toBe(0);
    }
  });

  it('changes pixels only on slices labelled positive, and only there has blood', () => {
    bleed.slices.forEach((slice, k) => {
      const blood = pixelsOf(slice.masks!.blood, code).length;
      expect(blood).toBe(slice.bloodPixels[subtype]);
      if (slice.truth.any) {
        expect(blood).toBeGreaterThanOrEqual(6); // at least the 6 mm² minimum at ~0.88 mm² per pixel
      } else {
        // Same seed, same anatomy and noise: a negative slice is the normal study's file, byte for byte.
        expect(Buffer.from(slice.bytes).equals(Buffer.from(normal.slices[k]!.bytes))).toBe(true);
      }
    });
  });

  it('gives blood fresh-hemorrhage density (50–90 HU) through the decoder', async () => {
    const values: number[] = [];
    for (const slice of bleed.slices.filter((s) => s.truth.any)) {
      const hu = await huOf(slice.bytes);
      for (const [r, c] of pixelsOf(slice.masks!.blood, code)) values.push(hu[r * SIZE + c]!);
    }
    values.sort((a, b) => a - b);
    const median = values[Math.floor(values.length / 2)]!;
    expect(median).toBeGreaterThanOrEqual(50);
    expect(median).toBeLessThanOrEqual(90);
    // Noise aside, blood is above every brain tissue: 98% of it within 40–100 HU.
    expect(values.filter((v) => v >= 40 && v <= 100).length / values.length).toBeGreaterThan(0.98);
  });

  it('lies where this subtype lies', () => {
    const positive = bleed.slices.filter((s) => s.truth.any);
    const largest = positive.reduce((a, b) => (b.bloodPixels[subtype] > a.bloodPixels[subtype] ? b : a));
    for (const slice of positive) {
      const tissue = slice.masks!.tissue; // the anatomy under the blood
      const pixels = pixelsOf(slice.masks!.blood, code);
      const classes = new Set(pixels.map(([r, c]) => tissue[r * SIZE + c]));
      expect(classes.has(TISSUE.air) || classes.has(TISSUE.scalp) || classes.has(TISSUE.bone)).toBe(false);
      const centre = headCentre(tissue);
      const sides = new Set(pixels.map(([, c]) => Math.sign(c - centre[1])));
      switch (subtype as Subtype) {
        case 'epidural':
        case 'subdural':
          // Against the inner table, on one side of the midline.
          expect(pixels.some((px) => touches(tissue, px, TISSUE.bone))).toBe(true);
          expect(sides.size).toBe(1);
          break;
        case 'intraparenchymal':
          expect(classes.has(TISSUE.ventricle)).toBe(false);
          expect(pixels.some((px) => touches(tissue, px, TISSUE.bone))).toBe(false);
          expect([...classes].some((t) => t === TISSUE.grey || t === TISSUE.white || t === TISSUE.deepGrey)).toBe(true);
          break;
        case 'intraventricular': {
          expect([...classes]).toEqual([TISSUE.ventricle]);
          // Layering: the blood is the dependent (posterior: larger rows) part of the ventricles.
          const ventricle = pixelsOf(tissue, TISSUE.ventricle);
          const meanRow = (px: [number, number][]) => px.reduce((s, [r]) => s + r, 0) / px.length;
          expect(meanRow(pixels)).toBeGreaterThan(meanRow(ventricle));
          break;
        }
        case 'subarachnoid':
          expect([...classes]).toEqual([TISSUE.csf]);
          break;
      }
    }
    // Shape: an epidural is a short lens, a subdural a long crescent along the table.
    const centre = headCentre(largest.masks!.tissue);
    const extent = angularExtent(pixelsOf(largest.masks!.blood, code), centre);
    if (subtype === 'epidural') expect(extent).toBeLessThan(1.0);
    if (subtype === 'subdural') expect(extent).toBeGreaterThan(1.2);
  });
});

describe('several subtypes in one study', () => {
  it('labels each, and `any` wherever one is present', () => {
    const study = generatePhantomStudy({ seed: 4, size: 128, hemorrhage: ['subdural', 'intraventricular'] });
    expect(study.truth).toEqual({ any: 1, epidural: 0, intraparenchymal: 0, intraventricular: 1, subarachnoid: 0, subdural: 1 });
    for (const s of study.slices) expect(s.truth.any).toBe(s.truth.subdural || s.truth.intraventricular ? 1 : 0);
    // Asking in another order or twice gives the same study.
    const again = generatePhantomStudy({ seed: 4, size: 128, hemorrhage: ['intraventricular', 'subdural', 'subdural'] });
    expect(again.slices.map((s) => s.bytes)).toEqual(study.slices.map((s) => s.bytes));
  });

  it('still bleeds in a study of a few slices', () => {
    for (const subtype of SUBTYPES) {
      const study = generatePhantomStudy({ seed: 8, size: 128, slices: 3, hemorrhage: subtype });
      expect(study.truth[subtype], subtype).toBe(1);
    }
  });
});
