import { boxMean, componentsAtLeast, dilate, distanceInside, floodFromBorder, largestComponent } from './raster';
import type { HeadSliceAnatomy, HuSlice } from './types';

/** Skull: cortical and cancellous bone (thin vertex bone reaches ~300 HU through partial volume). */
const BONE_HU = 250;
/** Intracranial content: brain, CSF and blood, with room for noise. */
const SOFT_HU: readonly [number, number] = [-20, 110];
/** CSF after a 5x5 mean (noise of ~5 HU averages out; grey matter stays above 20). */
const CSF_HU: readonly [number, number] = [-5, 15];
const SULCAL_CSF_MAX_HU = 18;
const PARENCHYMA_HU: readonly [number, number] = [20, 45];
/** Gaps in the skull up to about this wide (mm) are closed before looking for what it encloses. */
const GAP_MM = 1.5;
/** Ventricles: CSF at least this deep under the inner table, this close to the midline, this large. */
const VENTRICLE_DEPTH_MM = 18;
const VENTRICLE_MIDLINE_MM = 32;
const VENTRICLE_MIN_MM2 = 15;

/**
 * Finds, from the HU alone, what the bleed synthesis needs on one axial head-CT slice: the brain
 * enclosed by the skull (as intracranial-content.ts measures it, but as a mask: soft tissue the
 * skull surrounds, after closing small gaps, largest region), each pixel's depth under the inner
 * table, the rim around the centroid (and where it is bone), the ventricles (deep CSF near the
 * midline), the other CSF (sulci, fissures, cisterns) and the parenchyma. Pure; ~15 ms at 512².
 */
export function analyseHeadSlice(slice: HuSlice): HeadSliceAnatomy {
  const { rows: h, columns: w } = slice;
  // One element type for every loop below (a union of typed arrays makes each access slow).
  const hu = slice.hu instanceof Float32Array ? slice.hu : Float32Array.from(slice.hu);
  const n = w * h;
  const pixelMm = (slice.pixelSpacing[0] + slice.pixelSpacing[1]) / 2;
  const bone = new Uint8Array(n);
  for (let p = 0; p < n; p++) bone[p] = hu[p]! >= BONE_HU ? 1 : 0;
  const closed = dilate(bone, w, h, Math.max(1, Math.round(GAP_MM / pixelMm)));
  const open = new Uint8Array(n);
  for (let p = 0; p < n; p++) open[p] = closed[p] ? 0 : 1;
  const outside = floodFromBorder(open, w, h);
  const soft = new Uint8Array(n);
  for (let p = 0; p < n; p++) soft[p] = !outside[p] && !closed[p] && hu[p]! >= SOFT_HU[0] && hu[p]! <= SOFT_HU[1] ? 1 : 0;
  const core = largestComponent(soft, w, h);
  // The dilation that closed the gaps also ate a rim of brain under the bone: grow it back into
  // soft tissue that is not outside, so the mask reaches the inner table.
  const grown = dilate(core, w, h, Math.max(1, Math.round(GAP_MM / pixelMm)) + 1);
  const intracranial = new Uint8Array(n);
  let count = 0;
  let sx = 0;
  let sy = 0;
  for (let p = 0; p < n; p++) {
    if (grown[p] && !outside[p] && !bone[p] && hu[p]! >= SOFT_HU[0] && hu[p]! <= SOFT_HU[1]) {
      intracranial[p] = 1;
      count++;
      sx += p % w;
      sy += Math.floor(p / w);
    }
  }
  const tableDistanceMm = distanceInside(intracranial, w, h);
  for (let p = 0; p < n; p++) tableDistanceMm[p] = tableDistanceMm[p]! * pixelMm;
  const centreX = count > 0 ? sx / count : w / 2;
  const centreY = count > 0 ? sy / count : h / 2;

  const rimRadius = new Float32Array(360);
  for (let p = 0; p < n; p++) {
    if (!intracranial[p]) continue;
    const dx = (p % w) - centreX;
    const dy = Math.floor(p / w) - centreY;
    const bin = angleBin(Math.atan2(dy, dx));
    const r = Math.hypot(dx, dy);
    if (r > rimRadius[bin]!) rimRadius[bin] = r;
  }
  const rimIsBone = new Uint8Array(360);
  const reach = Math.max(3, Math.round(4 / pixelMm));
  for (let bin = 0; bin < 360; bin++) {
    const a = ((bin + 0.5) * Math.PI) / 180;
    const r0 = rimRadius[bin]!;
    if (r0 <= 0) continue;
    for (let step = 1; step <= reach; step++) {
      const x = Math.round(centreX + (r0 + step) * Math.cos(a));
      const y = Math.round(centreY + (r0 + step) * Math.sin(a));
      if (x >= 0 && y >= 0 && x < w && y < h && bone[y * w + x]) {
        rimIsBone[bin] = 1;
        break;
      }
    }
  }

  // Ventricles on a 5x5 mean (large, and their edges must not fray); sulci and cisterns are a
  // millimetre or two wide, so they are read on a 3x3 mean with a slightly higher ceiling.
  const smooth = boxMean(hu, w, h, 2);
  const fine = boxMean(hu, w, h, 1);
  const deepCsf = new Uint8Array(n);
  const csf = new Uint8Array(n);
  const parenchyma = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    if (!intracranial[p]) continue;
    const v = smooth[p]!;
    const depth = tableDistanceMm[p]!;
    if (fine[p]! >= CSF_HU[0] && fine[p]! <= SULCAL_CSF_MAX_HU) csf[p] = 1;
    if (v >= CSF_HU[0] && v <= CSF_HU[1]) {
      if (depth >= VENTRICLE_DEPTH_MM && Math.abs((p % w) - centreX) * pixelMm <= VENTRICLE_MIDLINE_MM) deepCsf[p] = 1;
    } else if (v >= PARENCHYMA_HU[0] && v <= PARENCHYMA_HU[1] && depth >= 10) {
      parenchyma[p] = 1;
    }
  }
  const ventricles = componentsAtLeast(deepCsf, w, h, Math.ceil(VENTRICLE_MIN_MM2 / (pixelMm * pixelMm)));
  let ventriclePixels = 0;
  const cisternCsf = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    if (ventricles[p]) ventriclePixels++;
    else if (csf[p]) cisternCsf[p] = 1;
  }
  return {
    rows: h,
    columns: w,
    pixelMm,
    intracranial,
    tableDistanceMm,
    areaMm2: count * pixelMm * pixelMm,
    centreX,
    centreY,
    rimRadius,
    rimIsBone,
    ventricles,
    ventricleAreaMm2: ventriclePixels * pixelMm * pixelMm,
    cisternCsf,
    parenchyma,
  };
}

/** The whole degree (0..359) of angle `a` (radians). */
export function angleBin(a: number): number {
  const deg = Math.floor((a * 180) / Math.PI);
  return ((deg % 360) + 360) % 360;
}
