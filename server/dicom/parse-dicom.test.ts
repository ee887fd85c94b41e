import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError, type AppError } from '@/lib/errors';
import { buildDicom, ctElements, int16Bytes } from './__fixtures__/build-dicom';
import { FIXTURES } from './__fixtures__/patterns';
import { decodePixels } from './decode-pixels';
import { parseDicom } from './parse-dicom';

const fixture = (name: string) => readFileSync(join(FIXTURES, name));

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (isAppError(err)) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('parseDicom: header', () => {
  it('reads every DicomHeader field of a CT slice', () => {
    // Arrange
    const bytes = fixture('ct-s16.dcm');

    // Act
    const { header, warnings } = parseDicom(bytes);

    // Assert
    expect(header).toEqual({
      transferSyntaxUid: '1.2.840.10008.1.2.1',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      sopInstanceUid: '2.25.31415926535897932384626433.1.1',
      studyInstanceUid: '2.25.31415926535897932384626433.100',
      seriesInstanceUid: '2.25.31415926535897932384626433.100.1',
      patientId: 'PHANTOM-001',
      patientName: 'Synthetic^Phantom',
      patientSex: 'O',
      patientAge: '050Y',
      accessionNumber: 'ACC0001',
      studyDate: '20200102',
      studyTime: '030405',
      modality: 'CT',
      seriesDescription: 'fixture s16',
      seriesNumber: 1,
      instanceNumber: 7,
      imageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
      convolutionKernel: 'H30s',
      imagePositionPatient: [-125.5, -130.25, 42.5],
      imageOrientationPatient: [1, 0, 0, 0, 1, 0],
      pixelSpacing: [0.48828125, 0.5],
      sliceThickness: 5,
      gantryDetectorTilt: 0,
      rows: 64,
      columns: 64,
      numberOfFrames: 1,
      samplesPerPixel: 1,
      bitsAllocated: 16,
      bitsStored: 16,
      highBit: 15,
      pixelRepresentation: 1,
      photometricInterpretation: 'MONOCHROME2',
      planarConfiguration: undefined,
      rescaleSlope: 1,
      rescaleIntercept: -1024,
      windowCenter: [40, 600],
      windowWidth: [80, 2800],
      pixelPaddingValue: -2000,
      pixelPaddingRangeLimit: undefined,
    });
    expect(warnings).toEqual([]);
  });

  it.each([
    ['ct-s16-implicit.dcm', '1.2.840.10008.1.2'],
    ['ct-s16-big-endian.dcm', '1.2.840.10008.1.2.2'],
    ['ct-s16-deflate.dcm', '1.2.840.10008.1.2.1.99'],
    ['ct-s16-rle.dcm', '1.2.840.10008.1.2.5'],
    ['ct-s16-j2k.dcm', '1.2.840.10008.1.2.4.90'],
  ])('reads the same header from %s', (name, transferSyntaxUid) => {
    const reference = parseDicom(fixture('ct-s16.dcm')).header;

    const { header } = parseDicom(fixture(name));

    expect(header).toEqual({ ...reference, transferSyntaxUid });
  });

  it('keeps native pixel data in place (zero-copy) and records fragments of encapsulated data', () => {
    const native = fixture('ct-s16.dcm');
    const rle = fixture('ct-s16-3frames-rle.dcm');

    const a = parseDicom(native);
    const b = parseDicom(rle);

    expect(a.bytes).toBe(native);
    expect(a.pixelData).toEqual({ encapsulated: false, offset: native.length - 8192, length: 8192 });
    expect(b.pixelData?.encapsulated).toBe(true);
    if (b.pixelData?.encapsulated) expect(b.pixelData.fragments).toHaveLength(3);
  });

  it('stops before Pixel Data when headerOnly', () => {
    const { header, pixelData } = parseDicom(fixture('ct-s16.dcm'), { headerOnly: true });

    expect(header.sopInstanceUid).toBe('2.25.31415926535897932384626433.1.1');
    expect(pixelData).toBeUndefined();
  });

  it('reads a bare dataset without preamble or meta information (annotated hex)', async () => {
    // Arrange: explicit VR little endian, group 0008 first, as some archives store instances.
    const hex = [
      '08 00 18 00 55 49 06 00 32 2e 32 35 2e 31', // (0008,0018) UI "2.25.1"
      '08 00 60 00 43 53 02 00 43 54', //             (0008,0060) CS "CT"
      '20 00 0d 00 55 49 06 00 32 2e 32 35 2e 32', // (0020,000D) UI "2.25.2"
      '20 00 0e 00 55 49 06 00 32 2e 32 35 2e 33', // (0020,000E) UI "2.25.3"
      '28 00 10 00 55 53 02 00 01 00', //             (0028,0010) US 1 (Rows)
      '28 00 11 00 55 53 02 00 02 00', //             (0028,0011) US 2 (Columns)
      '28 00 00 01 55 53 02 00 10 00', //             (0028,0100) US 16 (BitsAllocated)
      '28 00 03 01 55 53 02 00 01 00', //             (0028,0103) US 1 (signed)
      'e0 7f 10 00 4f 57 00 00 04 00 00 00 0a 00 f6 ff', // (7FE0,0010) OW [10, -10]
    ].join(' ');
    const bytes = Uint8Array.from(hex.split(' ').map((h) => parseInt(h, 16)));

    // Act
    const parsed = parseDicom(bytes);

    // Assert
    expect(parsed.header.transferSyntaxUid).toBe('1.2.840.10008.1.2.1');
    expect(parsed.header.sopInstanceUid).toBe('2.25.1');
    expect(parsed.warnings.map((w) => w.code)).toContain('NO_FILE_META');
    expect(parsed.pixelData).toEqual({ encapsulated: false, offset: 104, length: 4 });
    expect(Array.from((await decodePixels(parsed)).pixels)).toEqual([10, -10]);
  });

  it('reads file meta information without the 128-byte preamble', () => {
    const bytes = fixture('ct-s16.dcm').subarray(132);

    const parsed = parseDicom(bytes);

    expect(parsed.header.rows).toBe(64);
    expect(parsed.warnings.map((w) => w.code)).toContain('NO_PREAMBLE');
  });

  it('defaults missing optional attributes with a warning', () => {
    const bytes = buildDicom(ctElements({ pixels: int16Bytes([1, 2, 3, 4]) }).filter(([t]) => t !== 0x00280101 && t !== 0x00281053));

    const { header, warnings } = parseDicom(bytes);

    expect(header.bitsStored).toBe(16);
    expect(header.rescaleSlope).toBe(1);
    expect(warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['ATTRIBUTE_DEFAULTED', 'RESCALE_MISSING']));
  });
});

describe('parseDicom: typed errors', () => {
  it.each([
    ['text', new TextEncoder().encode('hello, this is not a DICOM file at all, only some text that is long enough '.repeat(3))],
    ['empty', new Uint8Array(0)],
    ['a PNG signature', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
  ])('DICOM_NOT_DICOM for %s', (_what, bytes) => {
    expect(errorOf(() => parseDicom(bytes)).code).toBe('DICOM_NOT_DICOM');
  });

  it.each(['ct-s16.dcm', 'ct-s16-implicit.dcm', 'ct-s16-big-endian.dcm', 'ct-s16-jpeg-ls.dcm', 'ct-s16-deflate.dcm'])(
    'DICOM_TRUNCATED for %s cut in half',
    (name) => {
      const whole = fixture(name);

      const err = errorOf(() => parseDicom(whole.subarray(0, whole.length >> 1)));

      expect(err.code).toBe('DICOM_TRUNCATED');
    },
  );

  it('DICOM_TRUNCATED when the file ends inside the meta header', () => {
    expect(errorOf(() => parseDicom(fixture('ct-s16.dcm').subarray(0, 150))).code).toBe('DICOM_TRUNCATED');
  });

  it('DICOM_MISSING_ATTRIBUTE naming the missing UID', () => {
    const bytes = buildDicom(ctElements({ pixels: int16Bytes([0, 0, 0, 0]), omit: [0x0020000e] }));

    const err = errorOf(() => parseDicom(bytes));

    expect(err.code).toBe('DICOM_MISSING_ATTRIBUTE');
    expect(err.message).toContain('SeriesInstanceUID');
  });

  it('DICOM_MISSING_ATTRIBUTE naming Rows when an image lacks it', () => {
    const bytes = buildDicom(ctElements({ pixels: int16Bytes([0, 0, 0, 0]), omit: [0x00280010] }));

    const err = errorOf(() => parseDicom(bytes));

    expect(err.code).toBe('DICOM_MISSING_ATTRIBUTE');
    expect(err.message).toContain('Rows');
  });

  it('DICOM_MISSING_PIXEL_DATA for a dataset that is no image', () => {
    const bytes = buildDicom(ctElements({ omit: [0x00280010, 0x00280011] }));

    expect(errorOf(() => parseDicom(bytes)).code).toBe('DICOM_MISSING_PIXEL_DATA');
  });

  it('DICOM_MISSING_PIXEL_DATA on decode when an image header has no Pixel Data', async () => {
    // Arrange: a real file cut exactly before its Pixel Data element (12-byte header + 8192 bytes).
    const whole = fixture('ct-s16.dcm');
    const parsed = parseDicom(whole.subarray(0, whole.length - 8192 - 12));

    // Act + Assert
    expect(parsed.pixelData).toBeUndefined();
    await expect(decodePixels(parsed)).rejects.toMatchObject({ code: 'DICOM_MISSING_PIXEL_DATA' });
  });
});
