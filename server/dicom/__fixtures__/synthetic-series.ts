/**
 * Synthetic slice headers for the series tests: only the geometry and identity fields that
 * ordering reads, built from a plane (row and column cosines) and a position along its normal.
 */
import { cross, type Orientation, type Vec3 } from '../slice-geometry';
import type { UsableSliceInput } from '../check-series-usable';

export interface TestSlice extends UsableSliceInput {
  imageType: string[];
  seriesInstanceUid: string;
}

export const AXIAL: Orientation = [1, 0, 0, 0, 1, 0];
export const CORONAL: Orientation = [1, 0, 0, 0, 0, -1];
export const SAGITTAL: Orientation = [0, 1, 0, 0, 0, -1];

/** An axial plane tilted by `deg` about the patient x axis, as a gantry tilt does. */
export function tilted(deg: number): Orientation {
  const t = (deg * Math.PI) / 180;
  return [1, 0, 0, 0, Math.cos(t), -Math.sin(t)];
}

/** Unit normal (row × column) of an orientation. */
export function normalOf(iop: Orientation): Vec3 {
  return cross([iop[0], iop[1], iop[2]], [iop[3], iop[4], iop[5]]);
}

/**
 * A slice whose plane lies `position` mm along the normal of `iop`; `inPlane` shifts the first
 * pixel within the plane (mm along the row and column directions), which must not change order.
 */
export function slice(
  n: number,
  position: number,
  o: { iop?: Orientation; inPlane?: [number, number]; instanceNumber?: number; sop?: string; imageType?: string[] } = {},
): TestSlice {
  const iop = o.iop ?? AXIAL;
  const normal = normalOf(iop);
  const [r, c] = o.inPlane ?? [-125, -125];
  const ipp = [0, 1, 2].map((k) => position * normal[k]! + r * iop[k]! + c * iop[k + 3]!) as [number, number, number];
  return {
    sopInstanceUid: o.sop ?? `2.25.77.${n}`,
    seriesInstanceUid: '2.25.77',
    instanceNumber: o.instanceNumber ?? n,
    imagePositionPatient: ipp,
    imageOrientationPatient: [...iop] as TestSlice['imageOrientationPatient'],
    imageType: o.imageType ?? ['ORIGINAL', 'PRIMARY', 'AXIAL'],
  };
}

/** `count` slices `spacing` mm apart starting at `start`, instance numbers 1..count. */
export function stack(count: number, spacing: number, o: { iop?: Orientation; start?: number } = {}): TestSlice[] {
  return Array.from({ length: count }, (_, i) => slice(i + 1, (o.start ?? 0) + i * spacing, { iop: o.iop }));
}

/** A deterministic shuffle (seeded LCG) so a failing order is reproducible. */
export function shuffled<T>(items: readonly T[], seed = 7): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
