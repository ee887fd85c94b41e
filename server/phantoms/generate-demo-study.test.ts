import { beforeAll, describe, expect, it, vi } from 'vitest';
import { SUBTYPES } from '@/lib/labels';
import { checkIsCt, checkSeriesUsable, decodePixels, parseDicom, toHounsfield } from '../dicom';
import { generateDemoStudy } from './generate-demo-study';

vi.setConfig({ testTimeout: 60_000 });

describe('generateDemoStudy: the real GE head CT with synthetic bleeds', () => {
  beforeAll(() => {
    generateDemoStudy({ seed: 1, slices: 2, size: 64 }); // analyses the shipped scan once (seconds)
  }, 120_000);

  it('writes a valid tilted CT series with masked, clearly synthetic patients and new UIDs per study', () => {
    const a = generateDemoStudy({ seed: 40, slices: 8, size: 128 });
    const b = generateDemoStudy({ seed: 41, slices: 8, size: 128 });
    expect(a.patientName).toMatch(/^DEMO\^[A-Z]+-\d{4}$/);
    expect(a.patientId).toMatch(/^DEMO-[0-9A-F]{8}$/);
    expect(a.studyInstanceUid).not.toBe(b.studyInstanceUid);
    expect(new Set([...a.slices, ...b.slices].map((s) => s.sopInstanceUid)).size).toBe(16);
    const headers = a.slices.map((s) => parseDicom(s.bytes).header);
    for (const h of headers) {
      expect(() => checkIsCt(h)).not.toThrow();
      expect([h.rows, h.columns]).toEqual([128, 128]);
      expect(h.gantryDetectorTilt).toBe(18.5);
      expect(h.patientName).toBe(a.patientName);
    }
    const usable = checkSeriesUsable(headers);
    expect(usable.tiltDeg).toBeCloseTo(18.5, 1);
    expect(usable.ordered.map((s) => s.slice.sopInstanceUid)).toEqual(a.slices.map((s) => s.sopInstanceUid));
  });

  it('is byte-identical for a seed', () => {
    const one = generateDemoStudy({ seed: 77, hemorrhage: 'subdural', slices: 10, size: 128 });
    const two = generateDemoStudy({ seed: 77, hemorrhage: 'subdural', slices: 10, size: 128 });
    expect(two.slices.map((s) => Buffer.from(s.bytes).toString('base64'))).toEqual(one.slices.map((s) => Buffer.from(s.bytes).toString('base64')));
  });

  it('leaves a normal study without any positive label', () => {
    const study = generateDemoStudy({ seed: 5, size: 128 });
    expect(study.slices).toHaveLength(28);
    expect(Object.values(study.truth).every((v) => v === 0)).toBe(true);
  });

  it.each(SUBTYPES.map((s) => [s]))('labels %s slices from the mask: positive exactly where it is non-empty, on >= 2 adjacent slices, blood-dense in the file', async (subtype) => {
    const study = generateDemoStudy({ seed: 300, hemorrhage: subtype, size: 256, withMasks: true });
    expect(study.truth[subtype]).toBe(1);
    const positive = study.slices.flatMap((s, k) => (s.truth[subtype] ? [k] : []));
    expect(positive.length).toBeGreaterThanOrEqual(2);
    expect(positive.at(-1)! - positive[0]! + 1).toBe(positive.length);
    const code = SUBTYPES.indexOf(subtype) + 1;
    const values: number[] = [];
    for (const s of study.slices) {
      const inMask = s.masks!.blood.reduce((n, v) => n + (v === code ? 1 : 0), 0);
      expect(s.truth[subtype]).toBe(inMask > 0 ? 1 : 0);
      expect(s.bloodPixels[subtype]).toBe(inMask);
      if (inMask === 0) continue;
      const parsed = parseDicom(s.bytes);
      const image = toHounsfield(parsed.header, await decodePixels(parsed));
      s.masks!.blood.forEach((v, p) => {
        if (v === code) values.push(image.hu[p]!);
      });
    }
    values.sort((x, y) => x - y);
    // Resampling, the added noise and the HU offset move single pixels; the bulk stays blood.
    expect(values[Math.floor(values.length / 2)]).toBeGreaterThanOrEqual(50);
    expect(values[Math.floor(values.length / 2)]).toBeLessThanOrEqual(90);
    expect(values[Math.floor(values.length * 0.1)]).toBeGreaterThan(35);
  });

  it('rejects options it cannot honour with a clear error', () => {
    expect(() => generateDemoStudy({ seed: 1, slices: 40 })).toThrow(/demo slices must be an integer in \[2, 28\]/);
    expect(() => generateDemoStudy({ seed: 1, size: 8 })).toThrow(/demo size/);
    expect(() => generateDemoStudy({ seed: -1 })).toThrow(/demo seed/);
  });
});
