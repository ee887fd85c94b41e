import { describe, expect, it } from 'vitest';
import { isAppError, type AppError } from '@/lib/errors';
import { CORONAL, SAGITTAL, shuffled, slice, stack, tilted } from './__fixtures__/synthetic-series';
import { AXIAL_MAX_TILT_DEG, checkSeriesUsable, isLocalizer } from './check-series-usable';
import { checkSliceUsable } from './check-slice-usable';

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (isAppError(err)) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('checkSeriesUsable: accepts axial stacks', () => {
  it('passes a plain axial series through, ordered, with nothing excluded', () => {
    const series = stack(20, 5);

    const r = checkSeriesUsable(shuffled(series));

    expect(r.ordered.map((o) => o.slice.sopInstanceUid)).toEqual(series.map((s) => s.sopInstanceUid));
    expect(r.excluded).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it.each([18.5, 30, 39])('accepts a gantry tilt of %s°', (deg) => {
    const r = checkSeriesUsable(stack(10, 5, { iop: tilted(deg) }));

    expect(r.tiltDeg).toBeCloseTo(deg, 6);
    expect(r.ordered).toHaveLength(10);
  });

  it('accepts a negative tilt just as well', () => {
    expect(checkSeriesUsable(stack(5, 5, { iop: tilted(-25) })).tiltDeg).toBeCloseTo(25, 6);
  });
});

describe('checkSeriesUsable: rejects what is not an axial stack', () => {
  it.each([
    ['sagittal', SAGITTAL, 90],
    ['coronal', CORONAL, 90],
    ['oblique', tilted(45), 45],
  ])('SERIES_NOT_AXIAL for a %s series, naming the plane and angle', (plane, iop, angle) => {
    const err = errorOf(() => checkSeriesUsable(stack(30, 1, { iop })));

    expect(err.code).toBe('SERIES_NOT_AXIAL');
    expect(err.message).toContain(plane);
    expect(err.details?.angleDeg).toBeCloseTo(angle, 6);
  });

  it(`draws the axial line at ${AXIAL_MAX_TILT_DEG}°`, () => {
    expect(() => checkSeriesUsable(stack(3, 5, { iop: tilted(AXIAL_MAX_TILT_DEG - 0.1) }))).not.toThrow();
    expect(errorOf(() => checkSeriesUsable(stack(3, 5, { iop: tilted(AXIAL_MAX_TILT_DEG + 0.1) }))).code).toBe('SERIES_NOT_AXIAL');
  });

  it('SERIES_LOCALIZER when every image is a scout', () => {
    const scouts = [slice(1, 0, { iop: CORONAL, imageType: ['ORIGINAL', 'PRIMARY', 'LOCALIZER'] }), slice(2, 0, { iop: SAGITTAL, imageType: ['ORIGINAL', 'PRIMARY', 'LOCALIZER'] })];

    expect(errorOf(() => checkSeriesUsable(scouts)).code).toBe('SERIES_LOCALIZER');
  });

  it('SERIES_MIXED_ORIENTATION when no orientation holds a clear majority', () => {
    const mixed = [...stack(10, 5), ...Array.from({ length: 5 }, (_, i) => slice(20 + i, i, { iop: CORONAL }))];

    const err = errorOf(() => checkSeriesUsable(mixed));

    expect(err.code).toBe('SERIES_MIXED_ORIENTATION');
    expect(err.details).toEqual({ groupSizes: [10, 5] });
  });

  it('SERIES_INCONSISTENT for slices from two series', () => {
    const two = [...stack(3, 5), { ...slice(9, 20), seriesInstanceUid: '2.25.99' }];

    expect(errorOf(() => checkSeriesUsable(two)).code).toBe('SERIES_INCONSISTENT');
  });

  it('SERIES_EMPTY and SERIES_MISSING_GEOMETRY pass through', () => {
    expect(errorOf(() => checkSeriesUsable([])).code).toBe('SERIES_EMPTY');
    expect(errorOf(() => checkSeriesUsable([{ ...slice(1, 0), imagePositionPatient: undefined }])).code).toBe('SERIES_MISSING_GEOMETRY');
  });
});

describe('checkSeriesUsable: sets scouts inside a series aside', () => {
  it('excludes a LOCALIZER image and maps every index back to the input', () => {
    // Arrange: a scout at input index 2 (no geometry of use: ordering must never see it)
    const series = stack(6, 5);
    const scout = { ...slice(99, 0, { iop: SAGITTAL, imageType: ['ORIGINAL', 'PRIMARY', 'LOCALIZER'] }), imagePositionPatient: undefined };
    const input = [series[3]!, series[0]!, scout, series[5]!, series[1]!, series[4]!, series[2]!];

    // Act
    const r = checkSeriesUsable(input);

    // Assert
    expect(r.excluded).toEqual([{ slice: scout, inputIndex: 2, reason: 'localizer' }]);
    expect(r.ordered.map((o) => o.slice.sopInstanceUid)).toEqual(series.map((s) => s.sopInstanceUid));
    r.ordered.forEach((o) => expect(input[o.inputIndex]).toBe(o.slice));
    expect(r.warnings.map((w) => w.code)).toEqual(['LOCALIZER_EXCLUDED']);
  });

  it('excludes a lone lateral scout without a LOCALIZER ImageType by its orientation', () => {
    const series = stack(20, 5);
    const lateral = slice(0, 0, { iop: SAGITTAL, imageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'] });

    const r = checkSeriesUsable([lateral, ...series]);

    expect(r.excluded).toEqual([{ slice: lateral, inputIndex: 0, reason: 'orientation-outlier' }]);
    expect(r.ordered).toHaveLength(20);
    expect(r.ordered[0]!.inputIndex).toBe(1);
    expect(r.warnings.map((w) => w.code)).toEqual(['ORIENTATION_OUTLIER_EXCLUDED']);
  });

  it('maps duplicate input indices back after exclusions', () => {
    const series = stack(8, 5);
    const scout = slice(99, 0, { imageType: ['ORIGINAL', 'PRIMARY', 'LOCALIZER'] });

    const r = checkSeriesUsable([scout, ...series, series[4]!]);

    expect(r.duplicates).toEqual([{ kind: 'instance', sopInstanceUid: series[4]!.sopInstanceUid, inputIndices: [5, 9] }]);
  });

  it('recognises the vendors\' scout ImageType values, case and spacing aside', () => {
    expect(isLocalizer(['ORIGINAL', 'PRIMARY', 'LOCALIZER'])).toBe(true);
    expect(isLocalizer(['ORIGINAL', 'PRIMARY', ' topogram '])).toBe(true);
    expect(isLocalizer(['ORIGINAL', 'PRIMARY', 'AXIAL'])).toBe(false);
    expect(isLocalizer(undefined)).toBe(false);
  });
});

describe('checkSliceUsable: one file at a time', () => {
  it('DICOM_LOCALIZER for a scout', () => {
    expect(errorOf(() => checkSliceUsable({ imageType: ['ORIGINAL', 'PRIMARY', 'LOCALIZER'], imageOrientationPatient: [1, 0, 0, 0, 0, -1] })).code).toBe(
      'DICOM_LOCALIZER',
    );
  });

  it('DICOM_NOT_AXIAL for a sagittal reformat; tilted axial and unknown orientation pass', () => {
    expect(errorOf(() => checkSliceUsable({ imageType: ['DERIVED', 'SECONDARY', 'MPR'], imageOrientationPatient: [0, 1, 0, 0, 0, -1] })).code).toBe('DICOM_NOT_AXIAL');
    expect(() => checkSliceUsable({ imageType: [], imageOrientationPatient: tilted(30) as [number, number, number, number, number, number] })).not.toThrow();
    expect(() => checkSliceUsable({ imageType: [], imageOrientationPatient: undefined })).not.toThrow();
  });
});
