import { AppError } from '@/lib/errors';
import { ORIENTATION_TOLERANCE_DEG, orderSeries, type OrderedSeries, type SliceGeometryInput } from './order-series';
import { groupByDirection, sliceNormal, type Vec3 } from './slice-geometry';
import type { DicomHeader } from './types';

/**
 * Largest angle between the slice normal and the patient z axis still called axial. Gantries tilt
 * at most ±30° (GE, Siemens, Canon, Philips) and head CT is often tilted along the orbitomeatal
 * line, so 30° must pass; 40° leaves margin for a tilted gantry plus rounding while a 45°
 * oblique reformat, coronal (90°) and sagittal (90°) are rejected.
 */
export const AXIAL_MAX_TILT_DEG = 40;

/** A series may carry at most this many stray-orientation slices (scouts) that are set aside. */
const MAX_ORIENTATION_OUTLIERS = 3;

/** ImageType values that mark a projection scout: LOCALIZER is the standard's (PS3.3 C.8.2.1.1.1). */
const LOCALIZER_TYPES = new Set(['LOCALIZER', 'SCOUT', 'TOPOGRAM', 'SURVIEW']);

export type UsableSliceInput = SliceGeometryInput & Partial<Pick<DicomHeader, 'imageType' | 'seriesInstanceUid'>>;

export interface ExcludedSlice<T> {
  slice: T;
  inputIndex: number;
  reason: 'localizer' | 'orientation-outlier';
}

export interface UsableSeries<T> extends OrderedSeries<T> {
  /** Slices set aside before ordering (scouts stored inside the series); `inputIndex` is the caller's. */
  excluded: ExcludedSlice<T>[];
}

/** True when ImageType says the image is a projection scout, not a cross-section. */
export function isLocalizer(imageType: readonly string[] | undefined): boolean {
  return (imageType ?? []).some((t) => LOCALIZER_TYPES.has(t.trim().toUpperCase()));
}

/**
 * Decides whether one series is an axial stack the model can read, and orders it. Scouts stored
 * in the series (ImageType LOCALIZER, or up to 3 slices whose orientation differs from a clear
 * majority) are set aside with a warning. Throws AppError: SERIES_EMPTY, SERIES_INCONSISTENT
 * (several SeriesInstanceUIDs), SERIES_LOCALIZER (only scouts), SERIES_MISSING_GEOMETRY,
 * SERIES_MIXED_ORIENTATION, SERIES_NOT_AXIAL (normal more than AXIAL_MAX_TILT_DEG from z).
 */
export function checkSeriesUsable<T extends UsableSliceInput>(slices: readonly T[]): UsableSeries<T> {
  if (slices.length === 0) throw new AppError('SERIES_EMPTY', 'the series has no slices');
  const uids = new Set(slices.map((s) => s.seriesInstanceUid).filter((u) => u !== undefined));
  if (uids.size > 1) {
    throw new AppError('SERIES_INCONSISTENT', `slices come from ${uids.size} different series; order each series on its own`, { seriesCount: uids.size });
  }

  const excluded: ExcludedSlice<T>[] = [];
  let kept = slices.map((slice, inputIndex) => ({ slice, inputIndex }));
  kept = kept.filter((k) => (isLocalizer(k.slice.imageType) ? (excluded.push({ ...k, reason: 'localizer' }), false) : true));
  if (kept.length === 0) {
    throw new AppError('SERIES_LOCALIZER', `all ${slices.length} image(s) are localizers (scouts), not cross-sections`);
  }
  kept = setAsideOrientationOutliers(kept, excluded);

  const ordered = orderSeries(kept.map((k) => k.slice));
  if (ordered.tiltDeg > AXIAL_MAX_TILT_DEG) {
    throw new AppError(
      'SERIES_NOT_AXIAL',
      `slices are ${planeName(ordered.normal)} (normal ${ordered.tiltDeg.toFixed(1)}° from the head–feet axis; axial allows ${AXIAL_MAX_TILT_DEG}°)`,
      { angleDeg: ordered.tiltDeg },
    );
  }

  const warnings = [...ordered.warnings];
  for (const e of excluded) {
    warnings.push({
      code: e.reason === 'localizer' ? 'LOCALIZER_EXCLUDED' : 'ORIENTATION_OUTLIER_EXCLUDED',
      message: `input slice ${e.inputIndex + 1} set aside: ${e.reason === 'localizer' ? 'ImageType marks it a localizer' : 'its orientation differs from the rest of the series'}`,
    });
  }
  // orderSeries saw only the kept slices: map its indices back to the caller's.
  const toInput = (i: number) => kept[i]!.inputIndex;
  return {
    ...ordered,
    ordered: ordered.ordered.map((o) => ({ ...o, inputIndex: toInput(o.inputIndex) })),
    duplicates: ordered.duplicates.map((d) => (d.kind === 'instance' ? { ...d, inputIndices: d.inputIndices.map(toInput) } : d)),
    warnings,
    excluded: excluded.sort((a, b) => a.inputIndex - b.inputIndex),
  };
}

/**
 * A scout without a LOCALIZER ImageType shows up as a lone slice facing another way; set aside a
 * few such slices when a clear majority (over 3x as many) shares one orientation. Anything more
 * mixed is left for orderSeries to reject. Slices without geometry stay, for orderSeries to name.
 */
function setAsideOrientationOutliers<T extends UsableSliceInput>(
  kept: { slice: T; inputIndex: number }[],
  excluded: ExcludedSlice<T>[],
): { slice: T; inputIndex: number }[] {
  const normals = kept.map((k) => (k.slice.imageOrientationPatient ? sliceNormal(k.slice.imageOrientationPatient) : undefined));
  if (normals.some((n) => n === undefined)) return kept;
  const groups = groupByDirection(normals as Vec3[], ORIENTATION_TOLERANCE_DEG);
  const majority = groups[0]!;
  const outliers = kept.length - majority.length;
  if (outliers === 0 || outliers > MAX_ORIENTATION_OUTLIERS || majority.length <= 3 * outliers) return kept;
  const inMajority = new Set(majority);
  return kept.filter((k, i) => (inMajority.has(i) ? true : (excluded.push({ ...k, reason: 'orientation-outlier' }), false)));
}

/** The anatomical plane a normal is closest to, for messages. */
function planeName(n: Vec3): string {
  const [x, y, z] = n.map(Math.abs) as [number, number, number];
  if (x >= y && x >= z) return 'sagittal';
  if (y >= x && y >= z) return 'coronal';
  return 'oblique';
}
