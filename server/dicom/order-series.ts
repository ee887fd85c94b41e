import { AppError } from '@/lib/errors';
import { angleFromAxialDeg, dot, groupByDirection, normalize, sliceNormal, type Vec3 } from './slice-geometry';
import type { DicomHeader, DicomWarning } from './types';

/** What ordering needs from a slice: a parsed DicomHeader has it all. */
export type SliceGeometryInput = Pick<DicomHeader, 'sopInstanceUid' | 'imagePositionPatient' | 'imageOrientationPatient'> &
  Partial<Pick<DicomHeader, 'instanceNumber'>>;

export interface OrderedSlice<T> {
  slice: T;
  /** Where the slice was in the input array. */
  inputIndex: number;
  /** mm along the series normal: dot(ImagePositionPatient, normal). */
  position: number;
}

export interface SpacingStats {
  median: number;
  min: number;
  max: number;
}

/** Missing coverage between ordered[afterIndex] and ordered[afterIndex + 1]. */
export interface SliceGap {
  afterIndex: number;
  spacing: number;
  /** The spacing its neighbours have (median of up to 3 steps on each side). */
  expectedSpacing: number;
  /** Slices that would fit in the gap at the expected spacing. */
  missingSlices: number;
}

export type SliceDuplicate =
  /** The same SOP instance more than once; only the first copy is kept in `ordered`. */
  | { kind: 'instance'; sopInstanceUid: string; inputIndices: number[] }
  /** Different instances at one position (a re-sent or second reconstruction); all are kept. */
  | { kind: 'position'; position: number; sopInstanceUids: string[] };

export interface OrderedSeries<T> {
  /** Unique instances, inferior to superior (ascending position along a normal with z >= 0). */
  ordered: OrderedSlice<T>[];
  /** Unit normal shared by the slices, pointing head-wards. */
  normal: Vec3;
  /** Angle between the normal and the patient z axis: the gantry tilt for a tilted axial scan. */
  tiltDeg: number;
  /** Steps between distinct positions; null with fewer than two. */
  spacing: SpacingStats | null;
  gaps: SliceGap[];
  duplicates: SliceDuplicate[];
  warnings: DicomWarning[];
}

/** Normals closer than this are one orientation; DS rounding is ~1e-6, real changes are degrees. */
export const ORIENTATION_TOLERANCE_DEG = 1;
/** Positions closer than this are the same slice; IPP is written to ~0.01 mm, thinnest CT ~0.5 mm. */
export const POSITION_TOLERANCE_MM = 0.05;
/** A step this many times its neighbours' spacing is a gap; one missing slice makes it 2. */
export const GAP_RATIO = 1.5;
const GAP_NEIGHBOURS = 3;

/**
 * Orders one series' slices by position along the slice normal (never by InstanceNumber), so
 * gantry tilt and uneven spacing are handled; reports spacing, gaps and duplicates. Throws
 * SERIES_EMPTY, SERIES_MISSING_GEOMETRY or SERIES_MIXED_ORIENTATION; it does not judge whether
 * the series is axial or a localizer (checkSeriesUsable does).
 */
export function orderSeries<T extends SliceGeometryInput>(slices: readonly T[]): OrderedSeries<T> {
  if (slices.length === 0) throw new AppError('SERIES_EMPTY', 'the series has no slices');
  const normal = seriesNormal(slices);
  const warnings: DicomWarning[] = [];

  const { unique, duplicates } = dropDuplicateInstances(slices);
  const ordered = unique
    .map((inputIndex) => ({ slice: slices[inputIndex]!, inputIndex, position: dot(slices[inputIndex]!.imagePositionPatient!, normal) }))
    .sort((a, b) => a.position - b.position || (a.slice.instanceNumber ?? 0) - (b.slice.instanceNumber ?? 0) || a.inputIndex - b.inputIndex);

  // Runs of equal positions collapse to one "distinct" position (its first slice's index).
  const distinct: number[] = [];
  ordered.forEach((s, i) => {
    const prev = distinct.length > 0 ? ordered[distinct[distinct.length - 1]!]! : undefined;
    if (prev === undefined || s.position - prev.position > POSITION_TOLERANCE_MM) {
      distinct.push(i);
      return;
    }
    const last = duplicates[duplicates.length - 1];
    if (last?.kind === 'position' && last.sopInstanceUids.includes(prev.slice.sopInstanceUid)) last.sopInstanceUids.push(s.slice.sopInstanceUid);
    else duplicates.push({ kind: 'position', position: round(prev.position), sopInstanceUids: [prev.slice.sopInstanceUid, s.slice.sopInstanceUid] });
  });

  const steps = distinct.slice(1).map((idx, k) => ordered[idx]!.position - ordered[distinct[k]!]!.position);
  const spacing = steps.length === 0 ? null : { median: median(steps), min: Math.min(...steps), max: Math.max(...steps) };
  const gaps = findGaps(steps).map(({ step, expected }) => ({
    // The gap follows the last slice at the lower position, duplicates included.
    afterIndex: (distinct[step + 1] ?? ordered.length) - 1,
    spacing: steps[step]!,
    expectedSpacing: expected,
    missingSlices: Math.max(1, Math.round(steps[step]! / expected) - 1),
  }));

  const tiltDeg = angleFromAxialDeg(normal);
  collectWarnings(warnings, { ordered, spacing, gaps, duplicates, tiltDeg });
  return { ordered, normal, tiltDeg, spacing, gaps, duplicates, warnings };
}

/** The one normal all slices share, head-wards; throws when geometry is missing or mixed. */
function seriesNormal(slices: readonly SliceGeometryInput[]): Vec3 {
  const normals = slices.map((s, i) => {
    const n = s.imageOrientationPatient && sliceNormal(s.imageOrientationPatient);
    if (n === undefined || s.imagePositionPatient === undefined || !s.imagePositionPatient.every(Number.isFinite)) {
      throw new AppError(
        'SERIES_MISSING_GEOMETRY',
        `slice ${i + 1} of ${slices.length}${instanceLabel(s)} has no usable ImagePositionPatient/ImageOrientationPatient: cannot order by position`,
        { sliceIndex: i },
      );
    }
    return n;
  });
  const groups = groupByDirection(normals, ORIENTATION_TOLERANCE_DEG);
  if (groups.length > 1) {
    throw new AppError(
      'SERIES_MIXED_ORIENTATION',
      `slices have ${groups.length} different orientations (groups of ${groups.map((g) => g.length).join(', ')} slices): not one stack`,
      { groupSizes: groups.map((g) => g.length) },
    );
  }
  // Average (sign-aligned with the first) so no single slice's rounding decides the axis.
  const first = normals[0]!;
  const sum = normals.reduce<Vec3>((acc, n) => {
    const s = Math.sign(dot(n, first)) || 1;
    return [acc[0] + s * n[0], acc[1] + s * n[1], acc[2] + s * n[2]];
  }, [0, 0, 0]);
  const n = normalize(sum)!;
  // Head-wards: ascending position then reads feet to head whatever way the rows run. For a
  // normal with no z (sagittal, coronal) its largest component is made positive instead.
  const key = Math.abs(n[2]) > 1e-9 ? n[2] : n.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a));
  return key < 0 ? [0 - n[0], 0 - n[1], 0 - n[2]] : n;
}

function dropDuplicateInstances(slices: readonly SliceGeometryInput[]): { unique: number[]; duplicates: SliceDuplicate[] } {
  const seen = new Map<string, number[]>();
  slices.forEach((s, i) => seen.set(s.sopInstanceUid, [...(seen.get(s.sopInstanceUid) ?? []), i]));
  const unique: number[] = [];
  const duplicates: SliceDuplicate[] = [];
  for (const [sopInstanceUid, inputIndices] of seen) {
    unique.push(inputIndices[0]!);
    if (inputIndices.length > 1) duplicates.push({ kind: 'instance', sopInstanceUid, inputIndices });
  }
  return { unique, duplicates };
}

/**
 * Steps much larger than their neighbours'. Judged locally, not against the series median:
 * head protocols often change spacing part-way (the GE series: 4 mm posterior fossa, then 7 mm),
 * and the larger half is not a gap.
 */
function findGaps(steps: readonly number[]): { step: number; expected: number }[] {
  const out: { step: number; expected: number }[] = [];
  steps.forEach((s, i) => {
    const around = [...steps.slice(Math.max(0, i - GAP_NEIGHBOURS), i), ...steps.slice(i + 1, i + 1 + GAP_NEIGHBOURS)];
    if (around.length === 0) return;
    const expected = median(around);
    if (s > GAP_RATIO * expected) out.push({ step: i, expected });
  });
  return out;
}

function collectWarnings(
  warnings: DicomWarning[],
  r: Pick<OrderedSeries<SliceGeometryInput>, 'ordered' | 'spacing' | 'gaps' | 'duplicates' | 'tiltDeg'>,
): void {
  for (const d of r.duplicates) {
    warnings.push(
      d.kind === 'instance'
        ? { code: 'DUPLICATE_INSTANCE', message: `SOP instance ${d.sopInstanceUid} appears ${d.inputIndices.length} times; kept once` }
        : { code: 'DUPLICATE_POSITION', message: `${d.sopInstanceUids.length} different instances at position ${d.position} mm` },
    );
  }
  for (const g of r.gaps) {
    warnings.push({
      code: 'SLICE_GAP',
      message: `${round(g.spacing)} mm after slice ${g.afterIndex + 1} where neighbours are ${round(g.expectedSpacing)} mm apart: about ${g.missingSlices} slice(s) missing`,
    });
  }
  const s = r.spacing;
  if (s !== null && s.max - s.min > Math.max(0.1 * s.median, 0.01)) {
    warnings.push({ code: 'SPACING_VARIABLE', message: `slice spacing varies: ${round(s.min)}..${round(s.max)} mm, median ${round(s.median)} mm` });
  }
  if (r.tiltDeg > 0.5) {
    warnings.push({ code: 'GANTRY_TILT', message: `slices are tilted ${round(r.tiltDeg)} degrees from axial; the volume is sheared, not a box` });
  }
  const numbers = r.ordered.map((o) => o.slice.instanceNumber);
  if (numbers.every((n) => n !== undefined) && !isMonotonic(numbers as number[])) {
    warnings.push({ code: 'INSTANCE_NUMBER_ORDER', message: 'InstanceNumber order differs from the geometric order (geometry used)' });
  }
}

function isMonotonic(v: readonly number[]): boolean {
  const up = v.every((x, i) => i === 0 || x >= v[i - 1]!);
  const down = v.every((x, i) => i === 0 || x <= v[i - 1]!);
  return up || down;
}

function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function instanceLabel(s: SliceGeometryInput): string {
  return s.instanceNumber === undefined ? '' : ` (InstanceNumber ${s.instanceNumber})`;
}
