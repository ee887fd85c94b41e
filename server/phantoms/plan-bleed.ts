import { headScale, type HeadModel } from './head-model';
import { ANGLE_BINS, BIN_ANGLE, type PolarGrid } from './polar-grid';
import type { Random } from './random';
import { angleDistance } from './render-anatomy';
import type { SliceGeometry } from './slice-geometry';
import { TISSUE, type Subtype } from './types';

/** Values a bleed writes into its per-slice mask. */
export const BLOOD = 1;
/** Perihematomal oedema around an intraparenchymal bleed: hypodense, and not hemorrhage. */
export const EDEMA = 2;

/** One planned hemorrhage: where it is in 3-D and how dense. */
export interface BleedPlan {
  subtype: Subtype;
  /** Mean density of the blood (HU, before noise): fresh clotted blood, 52–85. */
  hu: number;
  /** Level (zRel, mm) of its largest cross-section; always exactly one slice's level. */
  zCentre: number;
  /**
   * Writes BLOOD (and EDEMA) into `out` (zeroed by the caller) where this bleed lies at level
   * `geom`, given the slice's anatomy `tissue`; returns the number of BLOOD pixels.
   */
  paint(grid: PolarGrid, geom: SliceGeometry, tissue: Uint8Array, out: Uint8Array): number;
}

/** Angle of straight lateral on `side` (+1: +x, the patient's left; -1: right). */
const lateral = (side: 1 | -1): number => (side > 0 ? 0 : Math.PI);

/** The slice level in [lo, hi] picked by `rng`, or the one nearest that range's middle. */
function pickLevel(levels: readonly number[], lo: number, hi: number, rng: Random): number {
  const inside = levels.filter((z) => z >= lo && z <= hi);
  if (inside.length > 0) return rng.pick(inside);
  const mid = (lo + hi) / 2;
  return levels.reduce((best, z) => (Math.abs(z - mid) < Math.abs(best - mid) ? z : best));
}

/** Plans a `subtype` bleed in `model`, centred on one of the slice `levels` (zRel, mm). */
export function planBleed(subtype: Subtype, model: HeadModel, levels: readonly number[], rng: Random): BleedPlan {
  switch (subtype) {
    case 'epidural':
      return planExtraAxial(subtype, levels, rng, { z: [-15, 45], spread: [0.3, 0.45], halfHeight: [12, 22], thickness: [10, 17], hu: [62, 82], offset: 0.6 });
    case 'subdural':
      return planExtraAxial(subtype, levels, rng, { z: [-10, 45], spread: [0.9, 1.3], halfHeight: [22, 40], thickness: [5, 11], hu: [55, 78], offset: 0.25 });
    case 'intraparenchymal':
      return planParenchymal(model, levels, rng);
    case 'intraventricular':
      return planVentricular(model, levels, rng);
    case 'subarachnoid':
      return planSubarachnoid(levels, rng);
  }
}

interface ExtraAxialRanges {
  z: [number, number];
  /** Angular half-extent (radians). */
  spread: [number, number];
  halfHeight: [number, number];
  /** Greatest thickness (mm). */
  thickness: [number, number];
  hu: [number, number];
  /** Largest angular offset of the centre from straight lateral (radians). */
  offset: number;
}

/**
 * Epidural and subdural bleeds lie against the inner table over one hemisphere. Epidural: a
 * biconvex lens, thick in the middle and ending abruptly (held by the sutures). Subdural: a wide
 * crescent of almost even thickness that tapers only at its ends, its inner margin following the
 * brain's curve. Neither crosses the midline (spread + offset < π/2).
 */
function planExtraAxial(subtype: 'epidural' | 'subdural', levels: readonly number[], rng: Random, k: ExtraAxialRanges): BleedPlan {
  const side = rng.sign();
  const theta0 = lateral(side) + rng.uniform(-k.offset, k.offset);
  const spread = rng.uniform(...k.spread);
  const halfHeight = rng.uniform(...k.halfHeight);
  const thickness = rng.uniform(...k.thickness);
  const hu = rng.uniform(...k.hu);
  const zCentre = pickLevel(levels, ...k.z, rng);
  const lens = subtype === 'epidural';
  return {
    subtype,
    hu,
    zCentre,
    paint(grid, geom, tissue, out) {
      const v = (geom.zRel - zCentre) / halfHeight;
      if (Math.abs(v) > 0.9) return 0;
      // Where the bleed's inner margin lies, by angle bin (-1: not at this angle).
      const margin = new Float32Array(ANGLE_BINS).fill(-1);
      for (let b = 0; b < ANGLE_BINS; b++) {
        const u = angleDistance(BIN_ANGLE[b]!, theta0) / spread;
        if (u >= 1) continue;
        const h = lens ? thickness * Math.pow(Math.max(0, 1 - u * u - v * v), 0.6) : thickness * Math.sqrt(1 - u * u * u) * Math.sqrt(1 - v * v);
        margin[b] = geom.inner[b]! - h;
      }
      let count = 0;
      for (let p = 0; p < out.length; p++) {
        if (tissue[p]! < TISSUE.csf) continue; // only inside the inner table
        const m = margin[grid.bin[p]!]!;
        if (m >= 0 && grid.r[p]! >= m) {
          out[p] = BLOOD;
          count++;
        }
      }
      return count;
    },
  };
}

/** An irregular blob in the parenchyma of one hemisphere (lobar or ganglionic), ringed by oedema. */
function planParenchymal(model: HeadModel, levels: readonly number[], rng: Random): BleedPlan {
  const zCentre = pickLevel(levels, -12, 30, rng);
  const scale = headScale(model, zCentre);
  const side = rng.sign();
  const cx = side * rng.uniform(0.32, 0.46) * model.semiX * scale;
  const cy = rng.uniform(-0.3, 0.3) * model.semiY * scale;
  const radius = rng.uniform(8, 15);
  const halfHeight = radius * rng.uniform(0.8, 1.1);
  const lobes = [2, 3, 5].map((order, i) => ({ order, amplitude: [0.18, 0.1, 0.06][i]!, phase: rng.uniform(0, 2 * Math.PI) }));
  const edema = rng.uniform(1.5, 3);
  const hu = rng.uniform(60, 85);
  const reach = radius * 1.4 + edema;
  return {
    subtype: 'intraparenchymal',
    hu,
    zCentre,
    paint(grid, geom, tissue, out) {
      const v = (geom.zRel - zCentre) / halfHeight;
      if (Math.abs(v) > 0.9) return 0;
      const r = radius * Math.sqrt(1 - v * v);
      let count = 0;
      for (let p = 0; p < out.length; p++) {
        const ex = grid.dx[p]! - cx;
        const ey = grid.dy[p]! - cy;
        if (Math.abs(ex) > reach || Math.abs(ey) > reach) continue;
        const t = tissue[p]!;
        // Parenchyma and sulcal CSF only: a bleed reaching a ventricle would be intraventricular too.
        if (t < TISSUE.csf || t === TISSUE.ventricle) continue;
        const psi = Math.atan2(ey, ex) + 0.05 * geom.zRel;
        let f = 1;
        for (const l of lobes) f += l.amplitude * Math.cos(l.order * psi + l.phase);
        const rho = Math.hypot(ex, ey);
        if (rho < r * f) {
          out[p] = BLOOD;
          count++;
        } else if (rho < r * f + edema && t !== TISSUE.csf) {
          out[p] = EDEMA;
        }
      }
      return count;
    },
  };
}

/** Blood layering in the dependent (posterior, patient supine) part of one or both lateral ventricles. */
function planVentricular(model: HeadModel, levels: readonly number[], rng: Random): BleedPlan {
  const zCentre = pickLevel(levels, 0, 18, rng);
  const halfHeight = rng.uniform(8, 14);
  const side = rng.sign();
  const both = rng.chance(0.35);
  // A fluid-fluid level is horizontal: one y for every slice.
  const level = rng.uniform(-2, 6) * (model.semiY / 90);
  const hu = rng.uniform(55, 75);
  return {
    subtype: 'intraventricular',
    hu,
    zCentre,
    paint(grid, geom, tissue, out) {
      if (Math.abs(geom.zRel - zCentre) > halfHeight) return 0;
      let count = 0;
      for (let p = 0; p < out.length; p++) {
        if (tissue[p] !== TISSUE.ventricle || grid.dy[p]! <= level) continue;
        if (!both && grid.dx[p]! * side <= 0) continue;
        out[p] = BLOOD;
        count++;
      }
      return count;
    },
  };
}

/**
 * Blood in the subarachnoid CSF: over a sector of one convexity (sulci and the rim under the
 * table), or, when the slices reach them, around the basal cisterns and Sylvian fissures.
 */
function planSubarachnoid(levels: readonly number[], rng: Random): BleedPlan {
  const basal = levels.some((z) => z >= -38 && z <= -22) && rng.chance(0.5);
  const zCentre = basal ? pickLevel(levels, -34, -26, rng) : pickLevel(levels, 0, 50, rng);
  const halfHeight = basal ? rng.uniform(10, 16) : rng.uniform(15, 30);
  const theta0 = lateral(rng.sign()) + rng.uniform(-0.8, 0.8);
  const spread = rng.uniform(0.5, 0.9);
  const hu = rng.uniform(52, 70);
  return {
    subtype: 'subarachnoid',
    hu,
    zCentre,
    paint(grid, geom, tissue, out) {
      if (Math.abs(geom.zRel - zCentre) > halfHeight) return 0;
      const sector = new Uint8Array(ANGLE_BINS);
      for (let b = 0; b < ANGLE_BINS; b++) sector[b] = basal || angleDistance(BIN_ANGLE[b]!, theta0) < spread ? 1 : 0;
      let count = 0;
      for (let p = 0; p < out.length; p++) {
        if (tissue[p] !== TISSUE.csf || sector[grid.bin[p]!] === 0 || (basal && grid.r[p]! >= 48)) continue;
        out[p] = BLOOD;
        count++;
      }
      return count;
    },
  };
}
