import { beforeAll, describe, expect, it, vi } from 'vitest';
import { SUBTYPES } from '@/lib/labels';
import { loadDemoAnatomy } from '@/server/phantoms/load-demo-anatomy';
import { analyseHeadSlice } from './analyse-head-slice';
import { BLOOD_HU_RANGE } from './paint-lesions';
import { synthesizeBleeds } from './synthesize-bleeds';
import type { HeadSliceAnatomy, HuSlice } from './types';

// The shipped real head CT (GE HiSpeed, dcm_qa_ct), slices 11–24: from the posterior fossa to the
// high convexity, where every subtype has a place. 14 slices keep the test near a few seconds.
let slices: HuSlice[];
let positions: number[];
let anatomies: HeadSliceAnatomy[];
// Full-resolution synthesis is a second or so per run here, several on a loaded CI machine.
vi.setConfig({ testTimeout: 60_000 });

beforeAll(() => {
  const a = loadDemoAnatomy();
  const [r0, r1, r2, c0, c1, c2] = a.imageOrientationPatient;
  const normal = [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0] as const;
  const chosen = a.slices.slice(10, 24);
  slices = chosen.map((s) => ({ hu: s.hu, rows: a.rows, columns: a.columns, pixelSpacing: a.pixelSpacing }));
  positions = chosen.map((s) => s.imagePositionPatient.reduce((sum, v, i) => sum + v * normal[i]!, 0));
  anatomies = slices.map(analyseHeadSlice);
}, 120_000);

describe('analyseHeadSlice on a real head CT', () => {
  it('finds 100–200 cm² of brain inside the skull at the ventricles and the lateral ventricles near the midline', () => {
    const mid = anatomies[8]!; // slice 19
    expect(mid.areaMm2 / 100).toBeGreaterThan(100);
    expect(mid.areaMm2 / 100).toBeLessThan(200);
    expect(mid.ventricleAreaMm2).toBeGreaterThan(200);
    expect(mid.rimIsBone.reduce((n, b) => n + b, 0)).toBeGreaterThan(340);
  });

  it('finds no brain in a blank frame', () => {
    const blank = analyseHeadSlice({ hu: new Float32Array(64 * 64).fill(-1024), rows: 64, columns: 64, pixelSpacing: [1, 1] });
    expect(blank.areaMm2).toBe(0);
    expect(blank.ventricleAreaMm2).toBe(0);
  });
});

describe.each(SUBTYPES.map((s) => [s]))('synthesizeBleeds: %s', (subtype) => {
  const seeds = [11, 12];
  const runs = new Map<number, ReturnType<typeof synthesizeBleeds>>();
  const run = (seed: number): ReturnType<typeof synthesizeBleeds> => {
    const cached = runs.get(seed);
    if (cached) return cached;
    const out = synthesizeBleeds({ slices, positionsMm: positions, subtypes: [subtype], seed, anatomies });
    runs.set(seed, out);
    return out;
  };

  it.each(seeds)('seed %i: a lesion over ≥ 2 adjacent slices, its mask inside the brain, blood 45–95 HU, everything else untouched', (seed) => {
    const out = run(seed);
    expect(out.plans.map((p) => p.subtype)).toEqual([subtype]);
    const code = SUBTYPES.indexOf(subtype) + 1;
    const withBlood = out.slices.flatMap((s, k) => (s.bloodPixels[subtype] > 0 ? [k] : []));
    expect(withBlood.length).toBeGreaterThanOrEqual(2);
    expect(withBlood.at(-1)! - withBlood[0]! + 1).toBe(withBlood.length); // one contiguous run
    out.slices.forEach((s, k) => {
      const a = anatomies[k]!;
      const input = slices[k]!.hu;
      let bloodCount = 0;
      for (let p = 0; p < s.hu.length; p++) {
        if (s.blood[p]) {
          bloodCount++;
          expect(s.blood[p]).toBe(code);
          expect(s.changed[p]).toBe(1);
          expect(a.intracranial[p]).toBe(1);
          expect(s.hu[p]).toBeGreaterThanOrEqual(45);
          expect(s.hu[p]).toBeLessThanOrEqual(95);
          if (subtype === 'intraventricular') expect(a.ventricles[p]).toBe(1);
          if (subtype === 'subarachnoid') expect(a.cisternCsf[p]).toBe(1);
          if (subtype === 'epidural' || subtype === 'subdural') expect(a.tableDistanceMm[p]).toBeLessThanOrEqual(out.plans[0]!.thicknessMm);
        } else if (!s.changed[p]) {
          if (s.hu[p] !== input[p]) expect.fail(`slice ${k} pixel ${p} changed outside the lesion: ${input[p]} -> ${s.hu[p]}`);
        }
      }
      expect(bloodCount).toBe(s.bloodPixels[subtype]);
    });
  });

  it('lies against the inner table (epidural, subdural) and shrinks toward its ends', () => {
    const out = run(seeds[0]!);
    const counts = out.slices.map((s) => s.bloodPixels[subtype]);
    const widest = counts.indexOf(Math.max(...counts));
    const first = counts.findIndex((c) => c > 0);
    const last = counts.length - 1 - [...counts].reverse().findIndex((c) => c > 0);
    expect(Math.min(counts[first]!, counts[last]!)).toBeLessThanOrEqual(counts[widest]!);
    if (subtype !== 'epidural' && subtype !== 'subdural') return;
    const s = out.slices[widest]!;
    const a = anatomies[widest]!;
    let againstTable = 0;
    for (let p = 0; p < s.blood.length; p++) if (s.blood[p] && a.tableDistanceMm[p]! <= 1) againstTable++;
    expect(againstTable).toBeGreaterThan(20);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = synthesizeBleeds({ slices, positionsMm: positions, subtypes: [subtype], seed: seeds[0]!, anatomies });
    const first = run(seeds[0]!);
    again.slices.forEach((s, k) => {
      expect(Buffer.from(s.hu.buffer).equals(Buffer.from(first.slices[k]!.hu.buffer))).toBe(true);
      expect(Buffer.from(s.blood).equals(Buffer.from(first.slices[k]!.blood))).toBe(true);
    });
    const other = run(seeds[1]!);
    expect(other.slices.some((s, k) => !Buffer.from(s.blood).equals(Buffer.from(first.slices[k]!.blood)))).toBe(true);
  });
});

describe('synthesizeBleeds with no subtype or two', () => {
  it('leaves a normal series bit-identical', () => {
    const out = synthesizeBleeds({ slices, positionsMm: positions, subtypes: [], seed: 5, anatomies });
    expect(out.plans).toEqual([]);
    out.slices.forEach((s, k) => {
      expect(Array.from(s.hu)).toEqual(Array.from(slices[k]!.hu));
      expect(s.changed.every((c) => c === 0)).toBe(true);
    });
  });

  it('plans each subtype from its own stream: adding a second leaves the first where it was', () => {
    const one = synthesizeBleeds({ slices, positionsMm: positions, subtypes: ['subdural'], seed: 21, anatomies });
    const two = synthesizeBleeds({ slices, positionsMm: positions, subtypes: ['subdural', 'intraventricular'], seed: 21, anatomies });
    expect(two.plans.find((p) => p.subtype === 'subdural')).toEqual(one.plans[0]);
    expect(two.slices.some((s) => s.bloodPixels.intraventricular > 0)).toBe(true);
  });

  it('surrounds a parenchymal clot with hypodense oedema', () => {
    const out = synthesizeBleeds({ slices, positionsMm: positions, subtypes: ['intraparenchymal'], seed: 31, anatomies });
    let lowered = 0;
    out.slices.forEach((s, k) => {
      for (let p = 0; p < s.hu.length; p++) if (s.changed[p] && !s.blood[p] && s.hu[p]! < slices[k]!.hu[p]!) lowered++;
    });
    expect(lowered).toBeGreaterThan(50);
  });

  it('keeps blood within BLOOD_HU_RANGE', () => {
    expect(BLOOD_HU_RANGE[0]).toBeGreaterThanOrEqual(45);
    expect(BLOOD_HU_RANGE[1]).toBeLessThanOrEqual(95);
  });
});
