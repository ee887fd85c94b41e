import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCtIchDataset } from '@/server/evaluation/ctich-dataset';

const CTICH = fileURLToPath(new URL('../../../shared/data/ct-ich', import.meta.url));

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe.skipIf(!existsSync(CTICH))('real data: the CT-ICH layout (PhysioNet, CC BY 4.0)', () => {
  it('reads every labelled slice, one study per patient, labels mapped by column name', async () => {
    const { slices, failures } = await readCtIchDataset(CTICH);
    expect(failures).toEqual([]);
    expect(slices).toHaveLength(1995);
    expect(new Set(slices.map((s) => s.study)).size).toBe(66);
    // "any" must be the OR of the subtypes, whatever the CSV's column order.
    for (const s of slices) {
      const anySubtype = [s.truth.epidural, s.truth.intraparenchymal, s.truth.intraventricular, s.truth.subarachnoid, s.truth.subdural].includes(1);
      expect(s.truth.any).toBe(anySubtype ? 1 : 0);
    }
  });

  it('reconstructs plausible Hounsfield units from the two windowed JPEGs', async () => {
    const { slices } = await readCtIchDataset(CTICH);
    const mid = slices.find((s) => s.id === '049_15') ?? slices[Math.floor(slices.length / 2)]!;
    const { rows, columns, hu } = await mid.loadHu();
    expect([rows, columns]).toEqual([650, 650]);
    expect(hu[0]).toBeLessThan(-900); // corner: air
    let bone = 0;
    for (const v of hu) if (v > 700) bone++;
    expect(bone).toBeGreaterThan(1000); // a skull
    const centre: number[] = [];
    for (let r = 300; r < 350; r++) for (let c = 300; c < 350; c++) centre.push(hu[r * columns + c]!);
    const m = median(centre);
    expect(m).toBeGreaterThan(0); // brain or CSF, not air or bone
    expect(m).toBeLessThan(60);
  });
});
