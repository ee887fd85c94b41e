/**
 * The head-coverage rule on REAL series geometry: the GE head CT shipped in
 * server/phantoms/anatomy (its 28 positions along the 18.5°-tilted normal, 4 mm then 7 mm apart,
 * and its pixels), the 28 original files when ../shared/data has them, and demo studies built on it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePixels, parseDicom, toHounsfield } from '@/server/dicom';
import { intracranialSoftTissueArea } from '@/server/dicom/intracranial-content';
import { positionAlongNormal } from '@/server/dicom/slice-geometry';
import { generateDemoStudy } from '@/server/phantoms';
import { loadDemoAnatomy } from '@/server/phantoms/load-demo-anatomy';
import { judgeHeadCoverage, type CompletionSlice } from './series-completion';

const GE_FILES = fileURLToPath(new URL('../../../shared/data/dicom/ge-head-ct', import.meta.url));

/** The slices as the database records them: position along the normal, brain area from the pixels. */
async function sliceFacts(files: readonly Uint8Array[]): Promise<CompletionSlice[]> {
  const out: CompletionSlice[] = [];
  for (const bytes of files) {
    const parsed = parseDicom(bytes);
    const image = toHounsfield(parsed.header, await decodePixels(parsed));
    out.push({ position: positionAlongNormal(parsed.header) ?? null, brainAreaMm2: intracranialSoftTissueArea(image, parsed.header.pixelSpacing) });
  }
  return out;
}

/** The shipped anatomy in InstanceNumber order (feet → head). */
function shippedGe(): CompletionSlice[] {
  const a = loadDemoAnatomy();
  return a.slices.map((s) => ({
    position: positionAlongNormal({ imagePositionPatient: s.imagePositionPatient, imageOrientationPatient: a.imageOrientationPatient })!,
    brainAreaMm2: intracranialSoftTissueArea({ rows: a.rows, columns: a.columns, hu: Float32Array.from(s.hu) }, a.pixelSpacing),
  }));
}

/** The same series with every variation a completion must not depend on: arrival order reversed and shuffled. */
const shuffled = (s: readonly CompletionSlice[]) => [...s].reverse().sort((a, b) => (Math.round(a.position! * 7) % 3) - (Math.round(b.position! * 7) % 3));

describe('judgeHeadCoverage on the shipped GE head CT (real geometry: 18.5° tilt, 4 mm then 7 mm, a 1.08 mm step)', () => {
  let ge: CompletionSlice[];
  beforeAll(() => {
    ge = shippedGe();
  });

  it('calls the whole series complete: contiguous, from the skull base to the air above the vertex', () => {
    const r = judgeHeadCoverage(ge);
    expect(r).toMatchObject({ covers: true });
    expect(r.reason).toMatch(/^28 contiguous slices from the skull base \(14 %.*to the vertex \(0 %\)/);
    expect(judgeHeadCoverage(shuffled(ge)).covers).toBe(true);
  });

  it('says either end may be the vertex (the stored position flips with the orientation)', () => {
    expect(judgeHeadCoverage(ge.map((s) => ({ ...s, position: -s.position! }))).covers).toBe(true);
  });

  it('is not complete with the top 5 slices missing (a sender that died sending feet → head)', () => {
    const r = judgeHeadCoverage(ge.slice(0, -5));
    expect(r).toMatchObject({ covers: false, code: 'END_CUT' });
    expect(r.reason).toMatch(/top slice still shows 65 %/);
  });

  it('is not complete with the bottom 5 slices missing (sent head → feet)', () => {
    const r = judgeHeadCoverage(shuffled(ge.slice(5)));
    expect(r).toMatchObject({ covers: false, code: 'END_CUT' });
    expect(r.reason).toMatch(/lowest 10 mm still show 39 %/);
  });

  it('is not complete with one slice missing in the middle, in either spacing regime', () => {
    for (const missing of [8, 20]) {
      const r = judgeHeadCoverage(ge.filter((_, i) => i !== missing));
      expect(r, `slice ${missing + 1} missing`).toMatchObject({ covers: false, code: 'GAP' });
    }
    expect(judgeHeadCoverage(ge.filter((_, i) => i !== 20)).reason).toMatch(/14 mm gap after slice 20 where neighbours are 7 mm apart/);
  });

  it('the boundary, as measured: up to 3 of the flat posterior-fossa slices or the air slice may be missing unnoticed', () => {
    expect(judgeHeadCoverage(ge.slice(3)).covers).toBe(true);
    expect(judgeHeadCoverage(ge.slice(4)).covers).toBe(false);
    expect(judgeHeadCoverage(ge.slice(0, -1)).covers).toBe(true);
    expect(judgeHeadCoverage(ge.slice(0, -2)).covers).toBe(false);
  });

  it('cannot judge slices not yet measured or without a position, and refuses too few or brainless ones', () => {
    expect(judgeHeadCoverage(ge.map((s, i) => (i === 3 ? { ...s, brainAreaMm2: null } : s)))).toMatchObject({ covers: false, code: 'UNKNOWN' });
    expect(judgeHeadCoverage(ge.map((s, i) => (i === 3 ? { ...s, position: null } : s)))).toMatchObject({ covers: false, code: 'UNKNOWN' });
    expect(judgeHeadCoverage([])).toMatchObject({ covers: false, code: 'TOO_FEW' });
    expect(judgeHeadCoverage(ge.slice(10, 12))).toMatchObject({ covers: false, code: 'TOO_FEW' });
    expect(judgeHeadCoverage(ge.map((s) => ({ ...s, brainAreaMm2: 0 })))).toMatchObject({ covers: false, code: 'NO_BRAIN' });
  });
});

describe.skipIf(!existsSync(GE_FILES))('real data: the 28 original GE files (dcm_qa_ct)', () => {
  it('complete; the top 5 or bottom 5 removed, or a gap, not complete', async () => {
    const files = readdirSync(GE_FILES).filter((f) => f.endsWith('.dcm')).sort();
    const facts = await sliceFacts(files.map((f) => readFileSync(join(GE_FILES, f))));
    expect(judgeHeadCoverage(facts).covers).toBe(true);
    expect(judgeHeadCoverage(facts.slice(0, -5)).covers).toBe(false);
    expect(judgeHeadCoverage(facts.slice(5)).covers).toBe(false);
    expect(judgeHeadCoverage(facts.filter((_, i) => i !== 20))).toMatchObject({ covers: false, code: 'GAP' });
  });
});

describe('demo studies (npm run phantoms: the GE anatomy moved, rotated, noised, with synthetic bleeds)', () => {
  it('complete whatever their findings; a run of their slices is not', async () => {
    for (const [seed, hemorrhage] of [[4000, null], [4001, 'subdural'], [4002, ['epidural', 'intraventricular']]] as const) {
      const study = generateDemoStudy({ seed, hemorrhage, size: 128 });
      const facts = await sliceFacts(study.slices.map((s) => s.bytes));
      expect(judgeHeadCoverage(facts), `seed ${seed}`).toMatchObject({ covers: true });
      expect(judgeHeadCoverage(facts.slice(0, 20)).covers, `seed ${seed} first 20`).toBe(false);
    }
  });
});
