import { describe, expect, it } from 'vitest';
import { intracranialSoftTissueArea, MIN_BRAIN_AREA_MM2, showsBrain } from './intracranial-content';
import type { HuImage } from './types';

/** A 256² image (1 mm pixels) of air with rings/disks drawn by distance from the centre. */
function draw(layers: { from: number; to: number; hu: number }[]): HuImage {
  const size = 256;
  const hu = new Float32Array(size * size).fill(-1000);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r = Math.hypot(x - 127.5, y - 127.5);
      for (const l of layers) if (r >= l.from && r < l.to) hu[y * size + x] = l.hu;
    }
  }
  return { rows: size, columns: size, hu };
}

const ONE_MM: [number, number] = [1, 1];

describe('intracranialSoftTissueArea', () => {
  it('measures the brain enclosed by a skull, not the scalp outside it', () => {
    const head = draw([
      { from: 0, to: 60, hu: 30 }, // brain, radius 60 mm
      { from: 60, to: 66, hu: 1200 }, // skull
      { from: 66, to: 72, hu: 40 }, // scalp: soft tissue, but outside the skull
    ]);
    const area = intracranialSoftTissueArea(head, ONE_MM);
    expect(area).toBeGreaterThan(Math.PI * 60 * 60 * 0.93);
    expect(area).toBeLessThan(Math.PI * 60 * 60 * 1.05);
    expect(showsBrain(head, ONE_MM)).toBe(true);
  });

  it('counts blood and CSF inside the skull, but not fat or air', () => {
    const withBlood = draw([{ from: 0, to: 40, hu: 70 }, { from: 40, to: 46, hu: 1000 }]);
    const withFat = draw([{ from: 0, to: 40, hu: -100 }, { from: 40, to: 46, hu: 1000 }]);
    expect(intracranialSoftTissueArea(withBlood, ONE_MM)).toBeGreaterThan(4000);
    expect(intracranialSoftTissueArea(withFat, ONE_MM)).toBe(0);
  });

  it('finds no brain in air, in a blank frame, or in soft tissue with no skull around it', () => {
    expect(showsBrain(draw([]), ONE_MM)).toBe(false);
    expect(showsBrain({ rows: 64, columns: 64, hu: new Float32Array(64 * 64) }, ONE_MM)).toBe(false);
    expect(intracranialSoftTissueArea(draw([{ from: 0, to: 80, hu: 20 }]), ONE_MM)).toBe(0); // a water phantom
  });

  it('scales with pixel spacing, and assumes 0.5 mm pixels when the file has none', () => {
    const head = draw([{ from: 0, to: 30, hu: 30 }, { from: 30, to: 34, hu: 1200 }]);
    const at1mm = intracranialSoftTissueArea(head, ONE_MM);
    expect(intracranialSoftTissueArea(head, [0.5, 0.5])).toBeCloseTo(at1mm / 4, 6);
    expect(intracranialSoftTissueArea(head)).toBeCloseTo(at1mm / 4, 6);
    // A 30 mm radius (28 cm²) shows brain at 1 mm pixels; the same pixels at 0.25 mm are 1.8 cm².
    expect(showsBrain(head, ONE_MM)).toBe(true);
    expect(intracranialSoftTissueArea(head, [0.25, 0.25])).toBeLessThan(MIN_BRAIN_AREA_MM2);
  });
});
