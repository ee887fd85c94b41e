import type { HuImage } from './types';

/** Bone: the skull's cortical and cancellous bone is above this; soft tissue and blood are below. */
const BONE_HU = 300;
/** Brain parenchyma, CSF and blood (0–100 HU); fat, air and bone fall outside. */
const SOFT_TISSUE_HU: readonly [number, number] = [0, 100];
/**
 * A slice "shows brain" when at least this much soft tissue lies inside the skull: 5 cm². A real
 * head CT (test/real/ge-head-ct.test.ts) has 150–190 cm² at the ventricles and 9 cm² on its vertex
 * slice; the slice above the head has none.
 */
export const MIN_BRAIN_AREA_MM2 = 500;
/** Assumed when a file carries no PixelSpacing: a 256 mm field of view on 512 pixels. */
const DEFAULT_PIXEL_MM = 0.5;

/**
 * Area (mm²) of soft tissue enclosed by bone: pixels of 0–100 HU with skull on both sides along
 * their row and along their column. The scalp lies outside the skull and does not count; a slice
 * through the neck, the air above the head, a phantom without a skull or a blank frame gives 0.
 * Half resolution is plenty for an area and keeps this under a millisecond per 512² slice.
 */
export function intracranialSoftTissueArea(image: HuImage, pixelSpacing?: readonly [number, number]): number {
  const { rows, columns, hu } = image;
  const step = 2;
  const h = Math.ceil(rows / step);
  const w = Math.ceil(columns / step);
  const rowFirst = new Int32Array(h).fill(w);
  const rowLast = new Int32Array(h).fill(-1);
  const colFirst = new Int32Array(w).fill(h);
  const colLast = new Int32Array(w).fill(-1);
  for (let y = 0; y < h; y++) {
    const base = y * step * columns;
    for (let x = 0; x < w; x++) {
      if (hu[base + x * step]! < BONE_HU) continue;
      if (x < rowFirst[y]!) rowFirst[y] = x;
      rowLast[y] = x;
      if (y < colFirst[x]!) colFirst[x] = y;
      colLast[x] = y;
    }
  }
  let inside = 0;
  const [lo, hi] = SOFT_TISSUE_HU;
  for (let y = 0; y < h; y++) {
    if (rowLast[y]! <= rowFirst[y]!) continue;
    const base = y * step * columns;
    for (let x = rowFirst[y]! + 1; x < rowLast[y]!; x++) {
      if (y <= colFirst[x]! || y >= colLast[x]!) continue;
      const v = hu[base + x * step]!;
      if (v >= lo && v <= hi) inside++;
    }
  }
  const [dy, dx] = pixelSpacing ?? [DEFAULT_PIXEL_MM, DEFAULT_PIXEL_MM];
  return inside * step * step * dy * dx;
}

/** True when the slice shows enough brain for the model's output to mean anything. */
export function showsBrain(image: HuImage, pixelSpacing?: readonly [number, number]): boolean {
  return intracranialSoftTissueArea(image, pixelSpacing) >= MIN_BRAIN_AREA_MM2;
}
