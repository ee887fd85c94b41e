import { describe, expect, it } from 'vitest';
import { angleFromAxialDeg, axisAngleDeg, cross, groupByDirection, sliceNormal } from './slice-geometry';

describe('slice geometry', () => {
  it('the normal of an axial slice is +z, of the standard sagittal -x and coronal +y', () => {
    expect(sliceNormal([1, 0, 0, 0, 1, 0])).toEqual([0, 0, 1]);
    expect(sliceNormal([0, 1, 0, 0, 0, -1])).toEqual([-1, 0, 0]);
    expect(sliceNormal([1, 0, 0, 0, 0, -1])).toEqual([0, 1, 0]);
  });

  it('reads the GE series\' 18.5° gantry tilt from its ImageOrientationPatient', () => {
    // (0020,0037) of dcm_qa_ct's GE HiSpeed head CT, GantryDetectorTilt +18.5
    const n = sliceNormal([1, 0, 0, 0, 0.948324, -0.317305])!;

    expect(angleFromAxialDeg(n)).toBeCloseTo(18.5, 2);
  });

  it('normalises cosines written with few digits', () => {
    const n = sliceNormal([2, 0, 0, 0, 0.5, 0])!;

    expect(n).toEqual([0, 0, 1]);
  });

  it('rejects zero, non-finite and non-perpendicular cosines', () => {
    expect(sliceNormal([0, 0, 0, 0, 1, 0])).toBeUndefined();
    expect(sliceNormal([Number.NaN, 0, 0, 0, 1, 0])).toBeUndefined();
    expect(sliceNormal([1, 0, 0, 0.5, 0.866, 0])).toBeUndefined(); // 60° apart
  });

  it('cross product follows the right-hand rule', () => {
    expect(cross([1, 0, 0], [0, 1, 0])).toEqual([0, 0, 1]);
    expect(cross([0, 1, 0], [1, 0, 0])).toEqual([0, 0, -1]);
  });

  it('measures axis angles regardless of sign', () => {
    expect(axisAngleDeg([0, 0, 1], [0, 0, -1])).toBe(0);
    expect(axisAngleDeg([0, 0, 1], [1, 0, 0])).toBeCloseTo(90, 9);
  });

  it('groups directions within the tolerance, largest group first', () => {
    const groups = groupByDirection([[1, 0, 0], [0, 0, 1], [0, 0.0087, 0.99996], [0, 0, -1]], 1);

    expect(groups).toEqual([[1, 2, 3], [0]]);
  });
});
