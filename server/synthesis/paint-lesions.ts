import { SUBTYPES } from '@/lib/labels';
import { createRandom, deriveSeed } from '@/server/phantoms/random';
import type { Subtype } from '@/server/phantoms/types';
import { angleBin } from './analyse-head-slice';
import type { HeadSliceAnatomy, HuSlice, LesionPlan, SynthesizedSlice } from './types';

/** Cross-sections smaller than this (mm²) are not painted, so no slice is labelled for a speck. */
export const MIN_LESION_AREA_MM2 = 6;
/**
 * Slices with less intracranial area than this (mm²) get no blood: at the skull base the skull's
 * foramina and sinuses let the brain mask leak, and a lesion there would be painted into bone gaps.
 */
export const MIN_PAINT_AREA_MM2 = 3000;
/** Blood inside the mask stays within this (texture and the image's own noise included). */
export const BLOOD_HU_RANGE: readonly [number, number] = [48, 92];
/** Perihaematomal oedema: parenchyma pulled this far toward 15 HU. */
const EDEMA_HU = 15;
const EDEMA_MIX = 0.55;
/** Share of blood in the one-pixel partial-volume fringe outside the mask. */
const FRINGE_MIX = 0.45;
/** Spacing (mm) of the clot texture's control grid and its amplitude (HU, sd). */
const TEXTURE_MM = 3.5;

const wrap = (a: number): number => Math.atan2(Math.sin(a), Math.cos(a));

/** One lesion's footprint on one slice: its blood mask and (parenchymal clot) its oedema ring. */
export interface CrossSection {
  plan: LesionPlan;
  mask: Uint8Array;
  edema: Uint8Array;
  pixels: number;
}

/**
 * The cross-section of `plan` on a slice at `positionMm` (along the normal), or null where the
 * lesion does not reach, the slice shows too little brain, or the section is a speck.
 */
export function lesionCrossSection(plan: LesionPlan, anatomy: HeadSliceAnatomy, positionMm: number): CrossSection | null {
  if (anatomy.areaMm2 < MIN_PAINT_AREA_MM2) return null;
  const f = 1 - ((positionMm - plan.centreMm) / plan.halfExtentMm) ** 2;
  if (!(f > 0)) return null;
  const n = anatomy.rows * anatomy.columns;
  const mask = new Uint8Array(n);
  const edema = new Uint8Array(n);
  const pixels = lesionMask(plan, anatomy, Math.sqrt(f), mask, edema);
  const minPixels = Math.max(4, Math.ceil(MIN_LESION_AREA_MM2 / (anatomy.pixelMm * anatomy.pixelMm)));
  return pixels >= minPixels ? { plan, mask, edema, pixels } : null;
}

/**
 * Paints lesion cross-sections (lesionCrossSection) into one slice at `positionMm`: blood of the
 * plan's HU with a smooth seeded texture plus the image's own fine noise (so the clot is not a
 * flat stamp), clamped to BLOOD_HU_RANGE; a one-pixel partial-volume fringe outside the mask;
 * oedema around a parenchymal clot. Pure: the input is not written; pixels outside `changed` are
 * bit-identical to it.
 */
export function paintLesions(slice: HuSlice, anatomy: HeadSliceAnatomy, sections: readonly CrossSection[], positionMm: number): SynthesizedSlice {
  const { rows: h, columns: w } = slice;
  const n = w * h;
  const orig = slice.hu instanceof Float32Array ? slice.hu : Float32Array.from(slice.hu);
  const hu = Float32Array.from(orig);
  const blood = new Uint8Array(n);
  const changed = new Uint8Array(n);
  const bloodPixels = Object.fromEntries(SUBTYPES.map((s) => [s, 0])) as Record<Subtype, number>;
  for (const { plan, mask, edema } of sections) {
    const code = SUBTYPES.indexOf(plan.subtype) + 1;
    const texture = textureField(w, h, anatomy.pixelMm, plan.subtype === 'intraparenchymal' ? 6 : 4, deriveSeed(plan.textureSeed, Math.round(positionMm * 10)));
    for (let p = 0; p < n; p++) {
      if (!mask[p]) continue;
      const v = plan.bloodHu + texture[p]! + 0.7 * fineNoise(orig, w, h, p);
      hu[p] = Math.min(BLOOD_HU_RANGE[1], Math.max(BLOOD_HU_RANGE[0], v));
      blood[p] = code;
      changed[p] = 1;
    }
    for (let p = 0; p < n; p++) {
      if (mask[p] || blood[p] || !anatomy.intracranial[p]) continue;
      const x = p % w;
      const touches = (x > 0 && mask[p - 1]) || (x < w - 1 && mask[p + 1]) || (p >= w && mask[p - w]) || (p + w < n && mask[p + w]);
      if (touches) {
        hu[p] = orig[p]! + FRINGE_MIX * (plan.bloodHu - orig[p]!);
        changed[p] = 1;
      } else if (edema[p]) {
        hu[p] = orig[p]! + EDEMA_MIX * (EDEMA_HU - orig[p]!);
        changed[p] = 1;
      }
    }
  }
  for (let p = 0; p < n; p++) if (blood[p]) bloodPixels[SUBTYPES[blood[p]! - 1]!]++;
  return { hu, blood, changed, bloodPixels };
}

/** Fills `mask` (and `edema` for a parenchymal clot) with the lesion's cross-section at scale `sc`; returns its pixel count. */
function lesionMask(plan: LesionPlan, a: HeadSliceAnatomy, sc: number, mask: Uint8Array, edema: Uint8Array): number {
  const { columns: w, pixelMm: px } = a;
  let count = 0;
  const n = mask.length;
  switch (plan.subtype) {
    case 'epidural':
    case 'subdural': {
      // Thickness along the inner table: a biconvex lens (epidural) or a long crescent (subdural).
      const halfLength = plan.halfLengthMm * Math.sqrt(sc);
      const thickness = plan.thicknessMm * sc;
      for (let p = 0; p < n; p++) {
        if (!a.intracranial[p]) continue;
        const d = a.tableDistanceMm[p]!;
        if (d > thickness) continue;
        const phi = Math.atan2(Math.floor(p / w) - a.centreY, (p % w) - a.centreX);
        const bin = angleBin(phi);
        if (!a.rimIsBone[bin]) continue;
        const s = Math.abs(wrap(phi - plan.angle)) * a.rimRadius[bin]! * px;
        if (s >= halfLength) continue;
        const u = s / halfLength;
        const t = plan.subtype === 'epidural' ? thickness * (1 - u * u) : thickness * Math.sqrt(1 - u ** 4);
        if (d < t) {
          mask[p] = 1;
          count++;
        }
      }
      return count;
    }
    case 'intraparenchymal': {
      const radius = (plan.radiusMm * sc) / px;
      const rim = plan.edemaMm / px;
      for (let p = 0; p < n; p++) {
        if (!a.intracranial[p] || a.ventricles[p]) continue;
        const dx = (p % w) - plan.centreX;
        const dy = Math.floor(p / w) - plan.centreY;
        const r = Math.hypot(dx, dy);
        if (r > radius * 1.6 + rim) continue;
        const phi = Math.atan2(dy, dx);
        let shape = 1;
        for (const hm of plan.harmonics) shape += hm.amplitude * Math.cos(hm.k * phi + hm.phase);
        const edge = radius * shape;
        if (r < edge) {
          mask[p] = 1;
          count++;
        }
        else if (r < edge + rim && a.parenchyma[p]) edema[p] = 1;
      }
      return count;
    }
    case 'intraventricular': {
      // Blood settles in the dependent part: the posterior rows of the ventricles (patient supine).
      let yMin = Infinity;
      let yMax = -Infinity;
      for (let p = 0; p < n; p++) {
        if (!a.ventricles[p]) continue;
        const y = Math.floor(p / w);
        if (y < yMin) yMin = y;
        if (y > yMax) yMax = y;
      }
      if (yMax < yMin) return 0;
      const level = yMax - Math.min(1, plan.fillShare * sc) * (yMax - yMin + 1);
      for (let p = 0; p < n; p++) if (a.ventricles[p] && Math.floor(p / w) >= level) {
          mask[p] = 1;
          count++;
        }
      return count;
    }
    case 'subarachnoid': {
      for (let p = 0; p < n; p++) {
        if (!a.cisternCsf[p]) continue;
        const dx = (p % w) - a.centreX;
        const dy = Math.floor(p / w) - a.centreY;
        const inside =
          plan.sahMode === 'sulci'
            ? a.tableDistanceMm[p]! <= 25 && Math.abs(wrap(Math.atan2(dy, dx) - plan.angle)) <= plan.sectorHalfWidth * sc
            : Math.hypot(dx, dy) * px <= plan.radiusMm * sc;
        if (inside) {
          mask[p] = 1;
          count++;
        }
      }
      return count;
    }
  }
}

/** A smooth random field (sd ≈ `sd` HU): seeded values on a TEXTURE_MM grid, bilinearly interpolated. */
function textureField(w: number, h: number, pixelMm: number, sd: number, seed: number): Float32Array {
  const step = Math.max(2, TEXTURE_MM / pixelMm);
  const gw = Math.ceil(w / step) + 2;
  const gh = Math.ceil(h / step) + 2;
  const rng = createRandom(seed);
  const grid = new Float32Array(gw * gh);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.normal(0, sd);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const gy = y / step;
    const y0 = Math.floor(gy);
    const fy = gy - y0;
    for (let x = 0; x < w; x++) {
      const gx = x / step;
      const x0 = Math.floor(gx);
      const fx = gx - x0;
      const i = y0 * gw + x0;
      out[y * w + x] = (grid[i]! * (1 - fx) + grid[i + 1]! * fx) * (1 - fy) + (grid[i + gw]! * (1 - fx) + grid[i + gw + 1]! * fx) * fy;
    }
  }
  return out;
}

/** The image's own fine-scale noise at `p` (value minus its 3x3 mean), limited to ±10 HU so an edge never leaks in. */
function fineNoise(hu: Float32Array, w: number, h: number, p: number): number {
  const x = p % w;
  const y = (p - x) / w;
  if (x === 0 || y === 0 || x === w - 1 || y === h - 1) return 0;
  let s = 0;
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += hu[p + dy * w + dx]!;
  const r = hu[p]! - s / 9;
  return r > 10 ? 10 : r < -10 ? -10 : r;
}
