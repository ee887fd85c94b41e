import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { decodePixels, parseDicom, toHounsfield } from '../dicom';
import { generatePhantomStudy } from './generate-phantom-study';
import { hasTool } from './recompress-dicom';
import { TISSUE, type PhantomStudy, type Tissue } from './types';

/** HU of a written slice, through the project's own decoder. */
async function huOf(bytes: Uint8Array): Promise<Float32Array> {
  const parsed = parseDicom(bytes);
  return toHounsfield(parsed.header, await decodePixels(parsed)).hu;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** HU of every pixel of class `t` over `slices`. */
function huIn(hus: Float32Array[], study: PhantomStudy, t: Tissue): number[] {
  const out: number[] = [];
  study.slices.forEach((slice, k) => {
    const tissue = slice.masks!.tissue;
    for (let p = 0; p < tissue.length; p++) if (tissue[p] === t) out.push(hus[k]![p]!);
  });
  return out;
}

describe('generatePhantomStudy (a normal 512 x 512 study)', () => {
  let study: PhantomStudy;
  let hus: Float32Array[];
  beforeAll(async () => {
    study = generatePhantomStudy({ seed: 11, slices: 10, withMasks: true });
    hus = await Promise.all(study.slices.map((s) => huOf(s.bytes)));
  });

  it('writes CT headers our parser reads back as written', () => {
    for (const [k, slice] of study.slices.entries()) {
      const { header: h, warnings } = parseDicom(slice.bytes);
      expect(warnings).toEqual([]);
      expect(h.transferSyntaxUid).toBe('1.2.840.10008.1.2.1');
      expect(h.sopClassUid).toBe('1.2.840.10008.5.1.4.1.1.2');
      expect(h.modality).toBe('CT');
      expect(h.sopInstanceUid).toBe(slice.sopInstanceUid);
      expect(h.studyInstanceUid).toBe(study.studyInstanceUid);
      expect(h.seriesInstanceUid).toBe(study.seriesInstanceUid);
      expect(h.patientId).toBe('PHANTOM-11');
      expect(h.patientName).toBe('PHANTOM^11');
      expect(h.imageType).toEqual(['ORIGINAL', 'PRIMARY', 'AXIAL']);
      expect(h.imageOrientationPatient).toEqual([1, 0, 0, 0, 1, 0]);
      expect(h.pixelSpacing).toEqual([0.46875, 0.46875]);
      expect(h.sliceThickness).toBe(5);
      expect(h.instanceNumber).toBe(k + 1);
      expect(h.imagePositionPatient?.[2]).toBe(slice.z);
      expect([h.rows, h.columns, h.bitsAllocated, h.bitsStored, h.pixelRepresentation]).toEqual([512, 512, 16, 16, 1]);
      expect([h.rescaleSlope, h.rescaleIntercept]).toEqual([1, -1024]);
      expect(h.photometricInterpretation).toBe('MONOCHROME2');
      expect(h.windowCenter).toEqual([40, 80]);
      expect(h.windowWidth).toEqual([80, 200]);
      expect(parseDicom(slice.bytes).dataSet.string('x00080070')).toBe('ICH-TRIAGE PHANTOM');
      expect(parseDicom(slice.bytes).dataSet.string('x00180015')).toBe('HEAD');
    }
    const uids = [study.studyInstanceUid, study.seriesInstanceUid, ...study.slices.map((s) => s.sopInstanceUid)];
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) {
      expect(uid).toMatch(/^2\.25\.[1-9]\d*$/);
      expect(uid.length).toBeLessThanOrEqual(64);
    }
  });

  it('steps slice positions by the slice thickness, feet to head', () => {
    const z = study.slices.map((s) => s.z);
    for (let k = 1; k < z.length; k++) expect(z[k]! - z[k - 1]!).toBeCloseTo(5, 6);
  });

  it('puts air, bone, grey and white matter, CSF and ventricles in their HU ranges', () => {
    const air = huIn(hus, study, TISSUE.air);
    const bone = huIn(hus, study, TISSUE.bone);
    const grey = huIn(hus, study, TISSUE.grey);
    const white = huIn(hus, study, TISSUE.white);
    const csf = huIn(hus, study, TISSUE.csf);
    const ventricle = huIn(hus, study, TISSUE.ventricle);
    for (const v of [air, bone, grey, white, csf, ventricle]) expect(v.length).toBeGreaterThan(500);
    expect(median(air)).toBeGreaterThanOrEqual(-1010);
    expect(median(air)).toBeLessThanOrEqual(-990);
    expect(median(bone)).toBeGreaterThanOrEqual(850);
    expect(bone.reduce((a, b) => Math.max(a, b), -Infinity)).toBeLessThanOrEqual(1850);
    // Cortical tables reach 1000–1800 HU.
    expect(bone.filter((v) => v >= 1200).length / bone.length).toBeGreaterThan(0.4);
    expect(median(grey)).toBeGreaterThanOrEqual(36);
    expect(median(grey)).toBeLessThanOrEqual(42);
    expect(median(white)).toBeGreaterThanOrEqual(25);
    expect(median(white)).toBeLessThanOrEqual(34);
    expect(median(grey) - median(white)).toBeGreaterThanOrEqual(6);
    for (const fluid of [csf, ventricle]) {
      expect(median(fluid)).toBeGreaterThanOrEqual(0);
      expect(median(fluid)).toBeLessThanOrEqual(15);
    }
    // A normal brain has no blood-dense tissue: only noise tails (> 4 sd) reach 60 HU.
    const brain = [...grey, ...white, ...csf, ...ventricle];
    expect(brain.filter((v) => v >= 60).length / brain.length).toBeLessThan(0.001);
  });

  it('has ventricles in the middle slices and a smaller head at the ends', () => {
    const area = study.slices.map((s) => s.masks!.tissue.reduce((n, t) => n + (t !== TISSUE.air ? 1 : 0), 0));
    const mid = Math.floor(area.length / 2);
    expect(area[0]!).toBeLessThan(area[mid]!);
    const top = generatePhantomStudy({ seed: 11, slices: 32, size: 64, withMasks: true }).slices;
    const headArea = top.map((s) => s.masks!.tissue.reduce((n, t) => n + (t !== TISSUE.air ? 1 : 0), 0));
    expect(headArea[31]!).toBeLessThan(0.6 * headArea.reduce((a, b) => Math.max(a, b)));
    expect(headArea[0]!).toBeLessThan(headArea.reduce((a, b) => Math.max(a, b)));
    expect(study.slices[mid]!.masks!.tissue.includes(TISSUE.ventricle)).toBe(true);
  });

  it.skipIf(!hasTool('dcmdump'))('writes files dcmtk reads without complaint (dcmdump exits 0)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'phantom-dcmdump-'));
    try {
      const file = join(dir, 'slice.dcm');
      writeFileSync(file, study.slices[3]!.bytes);
      const out = execFileSync('dcmdump', ['-E', file], { encoding: 'utf8' });
      expect(out).toContain('CTImageStorage');
      expect(out).toContain('(0028,1050) DS [40\\80]');
      expect(out).toContain('ICH-TRIAGE PHANTOM');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('generatePhantomStudy options', () => {
  it('is byte-identical for the same seed and different for another', () => {
    const a = generatePhantomStudy({ seed: 5, slices: 4, size: 128, hemorrhage: 'subdural' });
    const b = generatePhantomStudy({ seed: 5, slices: 4, size: 128, hemorrhage: 'subdural' });
    const c = generatePhantomStudy({ seed: 6, slices: 4, size: 128, hemorrhage: 'subdural' });
    expect(b.slices.map((s) => s.bytes)).toEqual(a.slices.map((s) => s.bytes));
    expect(b.truth).toEqual(a.truth);
    expect(Buffer.from(c.slices[0]!.bytes).equals(Buffer.from(a.slices[0]!.bytes))).toBe(false);
    expect(c.studyInstanceUid).not.toBe(a.studyInstanceUid);
  });

  it('stores the same HU in every pixel format (RSNA-defect files decode with the correction)', async () => {
    const reference = await huOf(generatePhantomStudy({ seed: 9, slices: 1, size: 96 }).slices[0]!.bytes);
    for (const pixelFormat of ['int16-hu', 'uint12', 'uint12-rsna'] as const) {
      const slice = generatePhantomStudy({ seed: 9, slices: 1, size: 96, pixelFormat }).slices[0]!;
      const { header } = parseDicom(slice.bytes);
      expect(header.pixelRepresentation).toBe(pixelFormat === 'int16-hu' ? 1 : 0);
      expect(header.bitsStored).toBe(pixelFormat === 'int16-hu' ? 16 : 12);
      const hu = await huOf(slice.bytes);
      // The 12-bit formats cannot hold below -1024 (RSNA: -1000) HU; air noise is clamped there.
      const floor = pixelFormat === 'uint12-rsna' ? -1000 : pixelFormat === 'uint12' ? -1024 : -Infinity;
      for (let p = 0; p < hu.length; p++) expect(hu[p]).toBe(Math.max(floor, reference[p]!));
    }
  });

  it('rejects bad options with a typed error', () => {
    const bad = [{ seed: -1 }, { seed: 1.5 }, { seed: 1, size: 8 }, { seed: 1, slices: 0 }, { seed: 1, hemorrhage: 'any' as never }, { seed: 1, pixelFormat: 'float' as never }];
    for (const options of bad) {
      let error: unknown;
      try {
        generatePhantomStudy(options);
      } catch (err) {
        error = err;
      }
      expect(isAppError(error, 'VALIDATION_FAILED'), JSON.stringify(options)).toBe(true);
    }
  });
});
