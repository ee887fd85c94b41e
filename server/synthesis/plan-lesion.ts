import type { Random } from '@/server/phantoms/random';
import type { Subtype } from '@/server/phantoms/types';
import type { HeadSliceAnatomy, LesionPlan } from './types';

/** Slices with less brain than this (mm²) carry no lesion centre: skull base, vertex. */
const MIN_CENTRE_AREA_MM2 = 9000;
/** Mean blood HU per subtype: acute clotted blood is 50–90 HU; mixed with CSF it reads lower. */
const BLOOD_HU: Record<Subtype, readonly [number, number]> = {
  epidural: [62, 84],
  intraparenchymal: [60, 82],
  intraventricular: [56, 74],
  subarachnoid: [54, 70],
  subdural: [58, 82],
};

const base = (subtype: Subtype, rng: Random): LesionPlan => ({
  subtype,
  centreMm: 0,
  halfExtentMm: 0,
  bloodHu: rng.uniform(...BLOOD_HU[subtype]),
  textureSeed: rng.nextUint32(),
  angle: 0,
  halfLengthMm: 0,
  thicknessMm: 0,
  sectorHalfWidth: 0,
  sahMode: 'sulci',
  centreX: 0,
  centreY: 0,
  radiusMm: 0,
  harmonics: [],
  edemaMm: 0,
  fillShare: 0,
});

/**
 * Plans one `subtype` bleed in 3D over a series (anatomies and slice positions in mm along the
 * normal, ascending): which slice holds its widest cross-section, how far it reaches up and down
 * (always past the nearest neighbouring slice, so it spans at least two), and its shape. Places it
 * where the subtype occurs: epidural and subdural against the inner table where bone backs the
 * rim, intraparenchymal in parenchyma, intraventricular in the ventricles found, subarachnoid in
 * convexity sulci or basal cisterns. Returns null when this series has no such place.
 */
export function planLesion(subtype: Subtype, anatomies: readonly HeadSliceAnatomy[], positionsMm: readonly number[], rng: Random): LesionPlan | null {
  const plan = base(subtype, rng);
  const eligible = anatomies.flatMap((a, k) => {
    if (subtype === 'intraventricular') return a.ventricleAreaMm2 >= 150 ? [k] : [];
    return a.areaMm2 >= MIN_CENTRE_AREA_MM2 ? [k] : [];
  });
  if (eligible.length === 0) return null;
  const k = rng.pick(eligible);
  const a = anatomies[k]!;
  plan.centreMm = positionsMm[k]!;
  const gap = Math.max(positionsMm[k + 1] === undefined ? 0 : positionsMm[k + 1]! - positionsMm[k]!, k > 0 ? positionsMm[k]! - positionsMm[k - 1]! : 0, 1);
  // A neighbour at distance `gap` keeps at least half the central width (f = 1 - (gap/H)² ≥ 0.25).
  const reach = (drawn: number): number => Math.max(drawn, gap * 1.16);
  switch (subtype) {
    case 'epidural':
    case 'subdural': {
      const epidural = subtype === 'epidural';
      plan.halfLengthMm = epidural ? rng.uniform(16, 30) : rng.uniform(40, 75);
      plan.thicknessMm = epidural ? rng.uniform(7, 16) : rng.uniform(4, 10);
      plan.halfExtentMm = reach(epidural ? rng.uniform(10, 18) : rng.uniform(18, 32));
      const angle = boneBackedAngle(a, plan.halfLengthMm, rng);
      if (angle === null) return null;
      plan.angle = angle;
      return plan;
    }
    case 'intraparenchymal': {
      const candidates: number[] = [];
      for (let p = 0; p < a.parenchyma.length; p += 7) if (a.parenchyma[p] && a.tableDistanceMm[p]! >= 18) candidates.push(p);
      if (candidates.length === 0) return null;
      const p = rng.pick(candidates);
      plan.centreX = p % a.columns;
      plan.centreY = Math.floor(p / a.columns);
      plan.radiusMm = rng.uniform(7, 17);
      plan.halfExtentMm = reach(plan.radiusMm * rng.uniform(0.8, 1.15));
      plan.harmonics = [2, 3, 4, 5].map((kk) => ({ k: kk, amplitude: rng.uniform(0, 0.32 / kk), phase: rng.uniform(0, 2 * Math.PI) }));
      plan.edemaMm = rng.uniform(2, 5);
      return plan;
    }
    case 'intraventricular':
      plan.halfExtentMm = reach(rng.uniform(10, 22));
      // Either a cast filling the ventricle or blood layering in its dependent (posterior) part.
      plan.fillShare = rng.chance(0.5) ? rng.uniform(0.75, 1) : rng.uniform(0.25, 0.5);
      return plan;
    case 'subarachnoid':
      plan.sahMode = rng.chance(0.6) ? 'sulci' : 'cisterns';
      plan.angle = rng.uniform(-Math.PI, Math.PI);
      plan.sectorHalfWidth = rng.uniform(0.45, 1.0);
      plan.radiusMm = rng.uniform(28, 40);
      plan.halfExtentMm = reach(rng.uniform(10, 20));
      return plan;
  }
}

/** An angle (rad) around the centroid whose rim is backed by bone over ±halfLength, or null. */
function boneBackedAngle(a: HeadSliceAnatomy, halfLengthMm: number, rng: Random): number | null {
  const ok: number[] = [];
  for (let bin = 0; bin < 360; bin++) {
    const radiusMm = a.rimRadius[bin]! * a.pixelMm;
    if (radiusMm < 20) continue;
    const spanDeg = Math.min(120, Math.ceil(((halfLengthMm / radiusMm) * 180) / Math.PI));
    let backed = true;
    for (let d = -spanDeg; d <= spanDeg && backed; d += 2) backed = a.rimIsBone[(bin + d + 360) % 360] === 1;
    if (backed) ok.push(bin);
  }
  if (ok.length === 0) return null;
  return ((rng.pick(ok) + 0.5) * Math.PI) / 180;
}
