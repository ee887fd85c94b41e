import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDicom, ctElements, int16Bytes } from './__fixtures__/build-dicom';
import { FIXTURES, image, rsnaHu, s16 } from './__fixtures__/patterns';
import { checkIsCt } from './check-is-ct';
import { decodePixels } from './decode-pixels';
import { needsRsnaCorrection, PADDING_HU, toHounsfield, type HounsfieldOptions } from './hounsfield';
import { parseDicom } from './parse-dicom';
import type { DicomWarning } from './types';

async function huOf(bytes: Uint8Array, options?: HounsfieldOptions) {
  const parsed = parseDicom(bytes);
  return toHounsfield(parsed.header, await decodePixels(parsed), undefined, options);
}
const at = (hu: Float32Array, r: number, c: number) => hu[r * 64 + c];

describe('toHounsfield', () => {
  it('applies slope and intercept and turns the padding value into air', async () => {
    const { hu, rows, columns } = await huOf(readFileSync(join(FIXTURES, 'ct-s16.dcm')));

    expect([rows, columns]).toEqual([64, 64]);
    expect(at(hu, 10, 10)).toBe(s16(10, 10) - 1024);
    expect(at(hu, 4, 0)).toBe(s16(4, 0) - 1024); // a negative stored value
    expect(at(hu, 0, 0)).toBe(PADDING_HU); // stored -2000 is Pixel Padding Value
    expect(at(hu, 63, 62)).toBe(-32768 - 1024);
    expect(at(hu, 63, 63)).toBe(32767 - 1024);
  });

  it('uses a non-unit slope (8-bit, slope 8)', async () => {
    const bytes = buildDicom(ctElements({ bitsAllocated: 8, pixelRepresentation: 0, slope: '8', intercept: '-1024', pixels: Uint8Array.from([0, 128, 255, 1]) }));

    const { hu } = await huOf(bytes);

    expect(Array.from(hu)).toEqual([-1024, 0, 1016, -1016]);
  });

  it('treats the whole Pixel Padding range (value..range limit) as air', async () => {
    const bytes = buildDicom(ctElements({ paddingValue: -2000, paddingLimit: -1500, pixels: int16Bytes([-2000, -1700, -1500, -1499]) }));

    const { hu } = await huOf(bytes);

    expect(Array.from(hu)).toEqual([PADDING_HU, PADDING_HU, PADDING_HU, -1499 - 1024]);
  });

  it('compares an unsigned padding value with stored values, not HU', async () => {
    const bytes = buildDicom(ctElements({ pixelRepresentation: 0, paddingValue: 63536, pixels: new Uint8Array(Uint16Array.from([63536, 0, 1024, 2000]).buffer) }));

    const { hu } = await huOf(bytes);

    expect(Array.from(hu)).toEqual([PADDING_HU, -1024, 0, 976]);
  });

  it('corrects the RSNA 2019 12-bit defect exactly and says so', async () => {
    const warnings: DicomWarning[] = [];

    const { hu } = await huOf(readFileSync(join(FIXTURES, 'ct-u12-rsna.dcm')), { warnings });

    expect(Array.from(hu)).toEqual(image(rsnaHu));
    expect(warnings.map((w) => w.code)).toEqual(['RSNA_12BIT_CORRECTED']);
  });

  it('leaves 12-bit unsigned data with a normal intercept alone', async () => {
    const bytes = buildDicom(ctElements({ bitsStored: 12, pixelRepresentation: 0, intercept: '-1024', pixels: new Uint8Array(Uint16Array.from([0, 1024, 4095, 24]).buffer) }));
    const warnings: DicomWarning[] = [];

    const { hu } = await huOf(bytes, { warnings });

    expect(Array.from(hu)).toEqual([-1024, 0, 3071, -1000]);
    expect(warnings).toEqual([]);
  });

  it('needsRsnaCorrection matches the seeds\' condition', () => {
    expect(needsRsnaCorrection({ bitsStored: 12, pixelRepresentation: 0, rescaleIntercept: 0 })).toBe(true);
    expect(needsRsnaCorrection({ bitsStored: 12, pixelRepresentation: 0, rescaleIntercept: -99 })).toBe(true);
    expect(needsRsnaCorrection({ bitsStored: 12, pixelRepresentation: 0, rescaleIntercept: -100 })).toBe(false);
    expect(needsRsnaCorrection({ bitsStored: 12, pixelRepresentation: 1, rescaleIntercept: 0 })).toBe(false);
    expect(needsRsnaCorrection({ bitsStored: 16, pixelRepresentation: 0, rescaleIntercept: 0 })).toBe(false);
  });

  it('MONOCHROME1: HU from the rescale as the standard defines, with a warning', async () => {
    const bytes = buildDicom(ctElements({ photometric: 'MONOCHROME1', pixels: int16Bytes([0, 1024, -1024, 100]) }));
    const warnings: DicomWarning[] = [];

    const { hu } = await huOf(bytes, { warnings });

    expect(Array.from(hu)).toEqual([-1024, 0, -2048, -924]);
    expect(warnings.map((w) => w.code)).toEqual(['MONOCHROME1']);
  });

  it('MONOCHROME1 with invertMonochrome1: inverts about the stored range before the rescale', async () => {
    const signed = buildDicom(ctElements({ photometric: 'MONOCHROME1', pixels: int16Bytes([0, 1024, -1024, -1]) }));
    const unsigned = buildDicom(
      ctElements({ photometric: 'MONOCHROME1', bitsStored: 12, pixelRepresentation: 0, pixels: new Uint8Array(Uint16Array.from([0, 4095, 1000, 3071]).buffer) }),
    );

    const a = await huOf(signed, { invertMonochrome1: true });
    const b = await huOf(unsigned, { invertMonochrome1: true });

    expect(Array.from(a.hu)).toEqual([-1 - 1024, -1025 - 1024, 1023 - 1024, 0 - 1024]); // v -> -1 - v
    expect(Array.from(b.hu)).toEqual([4095 - 1024, 0 - 1024, 3095 - 1024, 1024 - 1024]); // v -> 4095 - v
  });

  it('writes into a reused `out` buffer and refuses one that is too small', async () => {
    const parsed = parseDicom(readFileSync(join(FIXTURES, 'ct-s16.dcm')));
    const frame = await decodePixels(parsed);
    const out = new Float32Array(64 * 64);

    expect(toHounsfield(parsed.header, frame, out).hu).toBe(out);
    expect(() => toHounsfield(parsed.header, frame, new Float32Array(10))).toThrow(RangeError);
  });
});

describe('checkIsCt', () => {
  it('accepts CT, and a CT SOP class without Modality', () => {
    expect(() => checkIsCt({ modality: 'CT', sopClassUid: undefined })).not.toThrow();
    expect(() => checkIsCt({ modality: undefined, sopClassUid: '1.2.840.10008.5.1.4.1.1.2' })).not.toThrow();
  });

  it('DICOM_NOT_CT naming the modality of an MR slice', () => {
    const { header } = parseDicom(readFileSync(join(FIXTURES, 'mr-u16.dcm')));

    expect(() => checkIsCt(header)).toThrow(expect.objectContaining({ code: 'DICOM_NOT_CT', message: 'modality MR is not CT' }));
  });

  it('DICOM_NOT_CT when nothing says CT', () => {
    expect(() => checkIsCt({ modality: undefined, sopClassUid: undefined })).toThrow(expect.objectContaining({ code: 'DICOM_NOT_CT' }));
  });
});
