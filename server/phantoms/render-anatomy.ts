import type { HeadModel } from './head-model';
import { ANGLE_BINS, BIN_ANGLE, type PolarGrid } from './polar-grid';
import { insideAny, type SliceGeometry } from './slice-geometry';
import { TISSUE } from './types';

const TWO_PI = 2 * Math.PI;

/** Smallest absolute difference between two angles (radians). */
export function angleDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % TWO_PI;
  return d > Math.PI ? TWO_PI - d : d;
}

/**
 * Classifies every pixel of one level into `tissue` (TISSUE values) and writes its noise-free HU
 * into `hu`. Precedence runs outside-in (air, scalp, bone, CSF rim), then deep structures
 * (ventricles, cisterns, fissures, sulci) over parenchyma, so each pixel has exactly one class.
 */
export function renderAnatomy(model: HeadModel, grid: PolarGrid, geom: SliceGeometry, tissue: Uint8Array, hu: Float32Array): void {
  const { dx, dy, r, bin } = grid;
  const n = grid.size * grid.size;
  const m = model.hu;
  const K = model.sulcusCount;
  const depths = model.sulcusDepths;
  const depthScale = Math.sqrt(Math.max(geom.scale, 0.1));
  const sulcusHalf = model.sulcusWidth / 2;
  const cortex = model.cortexThickness;
  // Above the ventricles the interhemispheric fissure splits the hemispheres completely; lower
  // down the corpus callosum and the deep structures interrupt it in the middle third.
  const fissureGap = geom.zRel > 30 ? 0 : 0.42 * model.semiY * geom.scale;
  // Sulcus coordinate by angle bin: K clefts around the convexity, wobbling with angle and
  // twisting with z; `bend` curves them with depth so they are not straight spokes.
  const phase = new Float32Array(ANGLE_BINS);
  const bend = new Float32Array(ANGLE_BINS);
  for (let b = 0; b < ANGLE_BINS; b++) {
    const theta = BIN_ANGLE[b]!;
    phase[b] = (K * (theta + Math.PI)) / TWO_PI + model.sulcusWobble * Math.sin(3 * theta + model.sulcusPhase) + 0.04 * geom.zRel;
    bend[b] = 0.06 * Math.sin(7 * theta + model.sulcusPhase + 0.02 * geom.zRel);
  }
  const arcPerUnit = TWO_PI / K;
  const deepLimit = 45; // no deep structure lies further than this (mm) from the centre

  for (let p = 0; p < n; p++) {
    const d = r[p]!;
    const b = bin[p]!;
    if (d >= geom.scalp[b]!) {
      tissue[p] = TISSUE.air;
      hu[p] = -1000;
      continue;
    }
    const outer = geom.outer[b]!;
    if (d >= outer) {
      // Skin, subcutaneous fat, galea.
      const depth = d - outer;
      tissue[p] = TISSUE.scalp;
      hu[p] = depth < 1.5 ? 25 : depth > model.scalpThickness - 1.5 ? 40 : -90;
      continue;
    }
    const inner = geom.inner[b]!;
    if (d >= inner) {
      // Outer and inner tables are cortical bone; the diploë between them is less dense.
      const f = (outer - d) / (outer - inner);
      tissue[p] = TISSUE.bone;
      hu[p] = f < 0.3 || f > 0.7 ? m.cortical + 120 * Math.cos(2 * BIN_ANGLE[b]!) : m.diploe;
      continue;
    }
    const surface = geom.brain[b]!;
    if (d >= surface) {
      tissue[p] = TISSUE.csf;
      hu[p] = m.csf;
      continue;
    }
    const x = dx[p]!;
    const y = dy[p]!;
    const near = d < deepLimit;
    if (near && insideAny(geom.ventricles, x, y)) {
      tissue[p] = TISSUE.ventricle;
      hu[p] = m.ventricle;
      continue;
    }
    if (near && geom.cisterns.length > 0 && insideAny(geom.cisterns, x, y) && !insideAny(geom.holes, x, y)) {
      tissue[p] = TISSUE.csf;
      hu[p] = m.csf;
      continue;
    }
    const depth = surface - d;
    const ax = Math.abs(x);
    if (ax < 0.9 && Math.abs(y) >= fissureGap) {
      tissue[p] = TISSUE.csf;
      hu[p] = m.csf;
      continue;
    }
    const s = phase[b]! + bend[b]! * depth;
    const k = Math.floor(s);
    const arc = Math.abs(s - k - 0.5) * arcPerUnit * d;
    const sulcusDepth = depths[k & 127]! * depthScale;
    const half = sulcusHalf * (1 - (0.5 * depth) / sulcusDepth);
    let sylvian = false;
    if (depth < 28) for (const a of geom.sylvian) if (angleDistance(BIN_ANGLE[b]!, a) * d < 1.3) sylvian = true;
    if (sylvian || (depth < sulcusDepth && arc < half)) {
      tissue[p] = TISSUE.csf;
      hu[p] = m.csf;
      continue;
    }
    if (near && insideAny(geom.deepGrey, x, y)) {
      tissue[p] = TISSUE.deepGrey;
      hu[p] = m.deepGrey;
      continue;
    }
    const grey = depth < cortex || (depth < sulcusDepth + cortex && arc < half + cortex) || (ax < 0.9 + cortex && Math.abs(y) >= fissureGap);
    tissue[p] = grey ? TISSUE.grey : TISSUE.white;
    hu[p] = grey ? m.grey : m.white;
  }
}
