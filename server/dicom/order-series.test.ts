import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { shuffled, slice, stack, tilted, type TestSlice } from './__fixtures__/synthetic-series';
import { orderSeries } from './order-series';

const sops = (r: { ordered: { slice: TestSlice }[] }) => r.ordered.map((o) => o.slice.sopInstanceUid);
const codes = (r: { warnings: { code: string }[] }) => r.warnings.map((w) => w.code);

function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isAppError(err)) return err.code;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('orderSeries: order', () => {
  it('orders a shuffled axial series inferior to superior and keeps input indices', () => {
    // Arrange
    const series = stack(12, 5, { start: -30 });
    const input = shuffled(series);

    // Act
    const r = orderSeries(input);

    // Assert
    expect(sops(r)).toEqual(series.map((s) => s.sopInstanceUid));
    expect(r.ordered.map((o) => o.position)).toEqual(series.map((_, i) => -30 + 5 * i));
    r.ordered.forEach((o) => expect(input[o.inputIndex]).toBe(o.slice));
    expect(r.normal).toEqual([0, 0, 1]);
    expect(r.spacing).toEqual({ median: 5, min: 5, max: 5 });
    expect(r.gaps).toEqual([]);
    expect(r.duplicates).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('orders by position, not InstanceNumber, and says when InstanceNumber disagrees', () => {
    const input = [slice(1, 10, { instanceNumber: 3 }), slice(2, 0, { instanceNumber: 1 }), slice(3, 5, { instanceNumber: 7 })];

    const r = orderSeries(input);

    expect(sops(r)).toEqual(['2.25.77.2', '2.25.77.3', '2.25.77.1']);
    expect(codes(r)).toEqual(['INSTANCE_NUMBER_ORDER']);
  });

  it('accepts InstanceNumber running head to feet (reversed but consistent) without a warning', () => {
    const input = stack(5, 3).map((s, i) => ({ ...s, instanceNumber: 5 - i }));

    expect(codes(orderSeries(input))).toEqual([]);
  });

  it('orders a 20° gantry-tilted series along its normal, spacing measured along the normal', () => {
    // Arrange: positions 4 mm apart along the tilted normal, as the GE series has
    const iop = tilted(20);
    const series = Array.from({ length: 8 }, (_, i) => slice(i + 1, 4 * i, { iop }));

    // Act
    const r = orderSeries(shuffled(series, 3));

    // Assert: IPP z steps by 4·cos 20° but spacing is 4, and the tilt is reported
    expect(sops(r)).toEqual(series.map((s) => s.sopInstanceUid));
    expect(series[1]!.imagePositionPatient![2] - series[0]!.imagePositionPatient![2]).toBeCloseTo(4 * Math.cos(Math.PI / 9), 9);
    expect(r.spacing!.median).toBeCloseTo(4, 9);
    expect(r.spacing!.max - r.spacing!.min).toBeLessThan(1e-9);
    expect(r.tiltDeg).toBeCloseTo(20, 9);
    expect(r.normal[1]).toBeCloseTo(Math.sin(Math.PI / 9), 9);
    expect(codes(r)).toEqual(['GANTRY_TILT']);
  });

  it('ignores in-plane shifts of the first pixel that would mislead an order by IPP z', () => {
    // Arrange: tilted 25°, and each slice's first pixel moved down the column direction, which has
    // a -z component, so z alone would rank slice 2 below slice 1.
    const iop = tilted(25);
    const input = [slice(1, 0, { iop, inPlane: [-125, -125] }), slice(2, 3, { iop, inPlane: [-125, -100] }), slice(3, 6, { iop, inPlane: [-125, -150] })];
    expect(input[1]!.imagePositionPatient![2]).toBeLessThan(input[0]!.imagePositionPatient![2]);

    // Act
    const r = orderSeries([input[2]!, input[0]!, input[1]!]);

    // Assert
    expect(sops(r)).toEqual(['2.25.77.1', '2.25.77.2', '2.25.77.3']);
    expect(r.spacing!.median).toBeCloseTo(3, 9);
  });

  it('orders inferior to superior even when the row direction is flipped (normal -z)', () => {
    const flipped = [-1, 0, 0, 0, 1, 0] as const;
    // With row -x the cross product points feet-wards; positions are given along that normal.
    const series = [slice(1, -10, { iop: flipped }), slice(2, -20, { iop: flipped }), slice(3, -30, { iop: flipped })];

    const r = orderSeries(series);

    expect(r.normal[2]).toBe(1);
    expect(r.ordered.map((o) => o.slice.imagePositionPatient![2])).toEqual([10, 20, 30]);
  });

  it('handles one slice: no spacing, no gaps', () => {
    const r = orderSeries([slice(1, 42)]);

    expect(r.ordered).toHaveLength(1);
    expect(r.spacing).toBeNull();
    expect(r.gaps).toEqual([]);
  });
});

describe('orderSeries: gaps and spacing', () => {
  it('reports one missing slice in a 5 mm series, after the right slice', () => {
    const series = stack(10, 5).filter((_, i) => i !== 6);

    const r = orderSeries(shuffled(series));

    expect(r.gaps).toEqual([{ afterIndex: 5, spacing: 10, expectedSpacing: 5, missingSlices: 1 }]);
    expect(r.spacing).toEqual({ median: 5, min: 5, max: 10 });
    expect(codes(r)).toEqual(['SLICE_GAP', 'SPACING_VARIABLE']);
  });

  it('counts three missing slices', () => {
    const series = stack(12, 2.5).filter((_, i) => i < 4 || i > 6);

    expect(orderSeries(series).gaps).toEqual([{ afterIndex: 3, spacing: 10, expectedSpacing: 2.5, missingSlices: 3 }]);
  });

  it('does not call the wider half of a two-part protocol a gap (4 mm then 7 mm, like the GE series)', () => {
    const fossa = Array.from({ length: 14 }, (_, i) => slice(i + 1, 4 * i));
    const cerebrum = Array.from({ length: 14 }, (_, i) => slice(15 + i, 53.08 + 7 * i));

    const r = orderSeries(shuffled([...fossa, ...cerebrum]));

    expect(r.gaps).toEqual([]);
    expect(r.spacing!.median).toBe(4);
    expect(r.spacing!.min).toBeCloseTo(1.08, 9);
    expect(r.spacing!.max).toBeCloseTo(7, 9);
    expect(codes(r)).toEqual(['SPACING_VARIABLE']);
  });

  it('ignores sub-tolerance jitter in positions', () => {
    const series = stack(6, 5).map((s, i) => slice(i + 1, i * 5 + (i % 2 ? 0.004 : -0.004), { sop: s.sopInstanceUid }));

    const r = orderSeries(series);

    expect(r.gaps).toEqual([]);
    expect(codes(r)).toEqual([]);
  });
});

describe('orderSeries: duplicates', () => {
  it('keeps one copy of a repeated SOP instance and reports where the copies were', () => {
    const series = stack(4, 5);
    const input = [series[0]!, series[2]!, series[1]!, series[2]!, series[3]!];

    const r = orderSeries(input);

    expect(sops(r)).toEqual(series.map((s) => s.sopInstanceUid));
    expect(r.duplicates).toEqual([{ kind: 'instance', sopInstanceUid: '2.25.77.3', inputIndices: [1, 3] }]);
    expect(r.spacing).toEqual({ median: 5, min: 5, max: 5 });
    expect(codes(r)).toEqual(['DUPLICATE_INSTANCE']);
  });

  it('keeps different instances at one position next to each other, reported, and spacing ignores them', () => {
    const series = [...stack(4, 5), slice(9, 10, { sop: '2.25.77.9' }), slice(10, 10.01, { sop: '2.25.77.10' })];

    const r = orderSeries(shuffled(series));

    expect(r.ordered.map((o) => o.position)).toEqual([0, 5, 10, 10, 10.01, 15]);
    expect(r.duplicates).toEqual([{ kind: 'position', position: 10, sopInstanceUids: expect.arrayContaining(['2.25.77.3', '2.25.77.9', '2.25.77.10']) }]);
    expect(r.spacing).toEqual({ median: 5, min: 5, max: 5 });
    expect(r.gaps).toEqual([]);
    expect(codes(r)).toContain('DUPLICATE_POSITION');
  });
});

describe('orderSeries: typed errors', () => {
  it('SERIES_EMPTY for no slices', () => {
    expect(errorCode(() => orderSeries([]))).toBe('SERIES_EMPTY');
  });

  it.each([
    ['no ImagePositionPatient', { imagePositionPatient: undefined }],
    ['no ImageOrientationPatient', { imageOrientationPatient: undefined }],
    ['zeroed ImageOrientationPatient', { imageOrientationPatient: [0, 0, 0, 0, 0, 0] }],
    ['parallel row and column cosines', { imageOrientationPatient: [1, 0, 0, 1, 0, 0] }],
  ])('SERIES_MISSING_GEOMETRY for a slice with %s', (_what, patch) => {
    const series = stack(3, 5);
    series[1] = { ...series[1]!, ...patch } as TestSlice;

    expect(errorCode(() => orderSeries(series))).toBe('SERIES_MISSING_GEOMETRY');
  });

  it('SERIES_MIXED_ORIENTATION when part of the series is tilted differently', () => {
    const series = [...stack(4, 5), ...stack(4, 5, { iop: tilted(12), start: 20 }).map((s, i) => ({ ...s, sopInstanceUid: `2.25.78.${i}` }))];

    expect(errorCode(() => orderSeries(series))).toBe('SERIES_MIXED_ORIENTATION');
  });

  it('tolerates orientation rounding far below a degree', () => {
    const series = stack(3, 5);
    series[1] = { ...series[1]!, imageOrientationPatient: [0.999999, 0.001, 0, -0.001, 0.999999, 0.002] };

    expect(sops(orderSeries(series))).toEqual(stack(3, 5).map((s) => s.sopInstanceUid));
  });
});
