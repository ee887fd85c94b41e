import { harmonicFactor, headScale, type HeadModel } from './head-model';
import { ANGLE_BINS, BIN_ANGLE } from './polar-grid';

/** An ellipse in head-centred mm, rotated by `angle` (radians, +x towards +y). */
export interface Ellipse {
  cx: number;
  cy: number;
  ax: number;
  ay: number;
  angle: number;
}

/** An ellipse ready for fast point tests (rotation precomputed). */
interface PreparedEllipse {
  cx: number;
  cy: number;
  /** cos and sin of the angle, divided by the semi-axes. */
  ux: number;
  uy: number;
  vx: number;
  vy: number;
}

/** The anatomy of one axial level: radius tables by angle bin plus the deep structures present. */
export interface SliceGeometry {
  zRel: number;
  /** Cross-section size relative to the widest level (0: above the vertex, nothing but air). */
  scale: number;
  /** Radii (mm) by angle bin: outer scalp, outer table, inner table, brain surface. */
  scalp: Float32Array;
  outer: Float32Array;
  inner: Float32Array;
  brain: Float32Array;
  ventricles: PreparedEllipse[];
  /** Basal cisterns (CSF) and, inside them, the midbrain (`holes`, parenchyma). */
  cisterns: PreparedEllipse[];
  holes: PreparedEllipse[];
  deepGrey: PreparedEllipse[];
  /** Sylvian fissure angles (radians) at this level; empty outside its z range. */
  sylvian: number[];
}

/** 1 - ((z - centre) / halfHeight)², clipped at 0: how much of a structure shows at level z. */
function profile(z: number, centre: number, halfHeight: number): number {
  const u = (z - centre) / halfHeight;
  return Math.max(0, 1 - u * u);
}

/** The geometry of level `zRel` (mm above the lateral ventricles' bodies). */
export function createSliceGeometry(model: HeadModel, zRel: number): SliceGeometry {
  const scale = headScale(model, zRel);
  const scalp = new Float32Array(ANGLE_BINS);
  const outer = new Float32Array(ANGLE_BINS);
  const inner = new Float32Array(ANGLE_BINS);
  const brain = new Float32Array(ANGLE_BINS);
  // The skull base is thicker than the vault.
  const baseExtra = Math.min(6, Math.max(0, (-zRel - 35) * 0.15));
  for (let b = 0; b < ANGLE_BINS; b++) {
    const theta = BIN_ANGLE[b]!;
    const c = Math.cos(theta) / model.semiX;
    const s = Math.sin(theta) / model.semiY;
    const o = (scale / Math.sqrt(c * c + s * s)) * harmonicFactor(model.outline, theta);
    const i = Math.max(0, o - (model.boneThickness * harmonicFactor(model.thicknessHarmonics, theta) + baseExtra));
    outer[b] = o;
    scalp[b] = scale > 0 ? o + model.scalpThickness : 0;
    inner[b] = i;
    brain[b] = Math.max(0, i - model.csfRim);
  }

  // Deep structures are placed for a 70 x 90 mm head and stretched to this one.
  const sx = model.semiX / 70;
  const sy = model.semiY / 90;
  const vs = model.ventricleScale;
  const ventricles: Ellipse[] = [];
  const cisterns: Ellipse[] = [];
  const holes: Ellipse[] = [];
  const deepGrey: Ellipse[] = [];
  const lateral = profile(zRel, 10, 24);
  const atrium = profile(zRel, 0, 15);
  const third = profile(zRel, -14, 10);
  const temporal = profile(zRel, -22, 9);
  const fourth = profile(zRel, -51, 11);
  const cistern = profile(zRel, -32, 10);
  const nuclei = profile(zRel, -8, 16);
  const pons = profile(zRel, -52, 12);
  for (const side of [-1, 1] as const) {
    if (lateral > 0) {
      // Bodies and frontal horns: the anterior ends converge on the septum (a "butterfly").
      const ax = (2.2 + 4.5 * lateral) * vs * sx;
      ventricles.push({ cx: side * (1.6 + ax), cy: -6 * sy, ax, ay: (8 + 18 * lateral) * sy * Math.sqrt(vs), angle: -side * 0.14 });
    }
    if (atrium > 0) ventricles.push({ cx: side * 12 * sx, cy: 22 * sy, ax: (2.5 + 3 * atrium) * vs * sx, ay: (5 + 7 * atrium) * vs * sy, angle: -side * 0.5 });
    if (temporal > 0) ventricles.push({ cx: side * 27 * sx, cy: 2 * sy, ax: (1 + 1.5 * temporal) * vs, ay: (3 + 5 * temporal) * sy, angle: side * 0.3 });
    if (nuclei > 0) {
      deepGrey.push({ cx: side * 10 * sx, cy: 7 * sy, ax: (2 + 6 * nuclei) * sx, ay: (3 + 8 * nuclei) * sy, angle: side * 0.2 }); // thalamus
      deepGrey.push({ cx: side * 21 * sx, cy: -5 * sy, ax: (2 + 4 * nuclei) * sx, ay: (4 + 10 * nuclei) * sy, angle: -side * 0.3 }); // lentiform
    }
  }
  if (third > 0) ventricles.push({ cx: 0, cy: -2 * sy, ax: (0.8 + 1.2 * third) * vs, ay: (4 + 8 * third) * sy, angle: 0 });
  if (fourth > 0) ventricles.push({ cx: 0, cy: 30 * sy, ax: (2 + 4 * fourth) * sx, ay: (1.5 + 2.5 * fourth) * sy, angle: 0 });
  if (cistern > 0) {
    const k = 0.6 + 0.4 * cistern;
    cisterns.push({ cx: 0, cy: 10 * sy, ax: 15.5 * k * sx, ay: 13.5 * k * sy, angle: 0 }); // ambient cistern
    const midbrain: Ellipse = { cx: 0, cy: 10 * sy, ax: 11.5 * k * sx, ay: 10 * k * sy, angle: 0 };
    holes.push(midbrain);
    deepGrey.push(midbrain);
    cisterns.push({ cx: 0, cy: -13 * sy, ax: 9 * k * sx, ay: 6 * k * sy, angle: 0 }); // suprasellar
  }
  if (pons > 0) deepGrey.push({ cx: 0, cy: 14 * sy, ax: (6 + 6 * pons) * sx, ay: (5 + 5 * pons) * sy, angle: 0 });
  const sylvian = zRel > -32 && zRel < 6 ? [-0.45, -Math.PI + 0.45] : [];
  return {
    zRel,
    scale,
    scalp,
    outer,
    inner,
    brain,
    ventricles: ventricles.map(prepare),
    cisterns: cisterns.map(prepare),
    holes: holes.map(prepare),
    deepGrey: deepGrey.map(prepare),
    sylvian,
  };
}

function prepare(e: Ellipse): PreparedEllipse {
  const c = Math.cos(e.angle);
  const s = Math.sin(e.angle);
  return { cx: e.cx, cy: e.cy, ux: c / e.ax, uy: s / e.ax, vx: -s / e.ay, vy: c / e.ay };
}

/** True when head-centred point (x, y) lies in any of `list`. */
export function insideAny(list: readonly PreparedEllipse[], x: number, y: number): boolean {
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    const ex = x - e.cx;
    const ey = y - e.cy;
    const u = ex * e.ux + ey * e.uy;
    const v = ex * e.vx + ey * e.vy;
    if (u * u + v * v < 1) return true;
  }
  return false;
}
