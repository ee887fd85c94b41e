/**
 * Vector helpers for slice geometry in the patient coordinate system (LPS: +x patient left,
 * +y posterior, +z head). Pure functions on plain tuples, shared by series ordering and checks.
 */

export type Vec3 = readonly [number, number, number];

/** Direction cosines (0020,0037): row direction, then column direction. */
export type Orientation = readonly [number, number, number, number, number, number];

const RAD_TO_DEG = 180 / Math.PI;

/** Dot product. */
export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/** Cross product a × b. */
export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/**
 * The unit slice normal (row × column), or undefined when the cosines are not two non-zero,
 * roughly perpendicular vectors (a corrupt or zeroed ImageOrientationPatient). Cosines are
 * normalised first because DS values are written with few digits.
 */
export function sliceNormal(iop: Orientation): Vec3 | undefined {
  const row = normalize([iop[0], iop[1], iop[2]]);
  const col = normalize([iop[3], iop[4], iop[5]]);
  if (row === undefined || col === undefined) return undefined;
  // Perpendicular to ~5 degrees: looser would accept garbage, tighter would reject rounding.
  if (Math.abs(dot(row, col)) > 0.09) return undefined;
  return normalize(cross(row, col));
}

/** `v` scaled to unit length, or undefined for a (near) zero or non-finite vector. */
export function normalize(v: Vec3): Vec3 | undefined {
  const len = Math.hypot(v[0], v[1], v[2]);
  if (!Number.isFinite(len) || len < 1e-6) return undefined;
  // `+ 0` turns -0 into 0, so equal directions also compare equal as values.
  return [v[0] / len + 0, v[1] / len + 0, v[2] / len + 0];
}

/** Angle in degrees between two directions, ignoring sign (a normal and its opposite are 0°). */
export function axisAngleDeg(a: Vec3, b: Vec3): number {
  const c = Math.min(1, Math.abs(dot(a, b)) / (Math.hypot(...a) * Math.hypot(...b)));
  return Math.acos(c) * RAD_TO_DEG;
}

/** Angle in degrees between a slice normal and the patient's head–feet (z) axis: 0 for axial. */
export function angleFromAxialDeg(normal: Vec3): number {
  return axisAngleDeg(normal, [0, 0, 1]);
}

/**
 * Groups directions that lie within `toleranceDeg` of each group's first member (sign ignored);
 * returns groups of indices into `normals`, largest first (ties: the group seen first).
 */
export function groupByDirection(normals: readonly Vec3[], toleranceDeg: number): number[][] {
  const groups: { axis: Vec3; members: number[] }[] = [];
  normals.forEach((n, i) => {
    const group = groups.find((g) => axisAngleDeg(g.axis, n) <= toleranceDeg);
    if (group) group.members.push(i);
    else groups.push({ axis: n, members: [i] });
  });
  return groups.map((g) => g.members).sort((a, b) => b.length - a.length);
}

/**
 * A slice's position along the normal of its own orientation, in mm: the order DICOM geometry
 * defines (never InstanceNumber). Undefined without position or a valid orientation.
 */
export function positionAlongNormal(header: {
  imagePositionPatient?: readonly [number, number, number] | undefined;
  imageOrientationPatient?: Orientation | undefined;
}): number | undefined {
  const { imagePositionPatient: ipp, imageOrientationPatient: iop } = header;
  const normal = ipp && iop ? sliceNormal(iop) : undefined;
  return normal ? dot(ipp!, normal) : undefined;
}
