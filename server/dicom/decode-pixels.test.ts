import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDicom, ctElements, int16Bytes } from './__fixtures__/build-dicom';
import { FIXTURES, image, s16, smooth } from './__fixtures__/patterns';
import { decodeUncompressed } from './codecs/decode-uncompressed';
import { decodePixels } from './decode-pixels';
import { toHounsfield } from './hounsfield';
import { parseDicom } from './parse-dicom';

const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const decode = async (bytes: Uint8Array, frame = 0) => (await decodePixels(parseDicom(bytes), frame)).pixels;

function errorStats(actual: ArrayLike<number>, expected: ArrayLike<number>): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / expected.length };
}

describe('decodePixels: lossless syntaxes decode bit-exactly', () => {
  const expected = image(s16);

  it.each([
    ['ct-s16.dcm', '1.2.840.10008.1.2.1 Explicit VR Little Endian'],
    ['ct-s16-implicit.dcm', '1.2.840.10008.1.2 Implicit VR Little Endian'],
    ['ct-s16-big-endian.dcm', '1.2.840.10008.1.2.2 Explicit VR Big Endian'],
    ['ct-s16-deflate.dcm', '1.2.840.10008.1.2.1.99 Deflated Explicit VR Little Endian'],
    ['ct-s16-rle.dcm', '1.2.840.10008.1.2.5 RLE Lossless'],
    ['ct-s16-jpeg-lossless.dcm', '1.2.840.10008.1.2.4.57 JPEG Lossless, predictor 6'],
    ['ct-s16-jpeg-lossless-sv1.dcm', '1.2.840.10008.1.2.4.70 JPEG Lossless SV1'],
    ['ct-s16-jpeg-ls.dcm', '1.2.840.10008.1.2.4.80 JPEG-LS Lossless'],
    ['ct-s16-j2k.dcm', '1.2.840.10008.1.2.4.90 JPEG 2000 Lossless'],
    ['ct-s16-htj2k.dcm', '1.2.840.10008.1.2.4.201 HTJ2K Lossless'],
  ])('%s (%s)', async (name) => {
    // Act
    const pixels = await decode(fixture(name));

    // Assert: signed 16-bit, including -32768 and 32767
    expect(pixels).toBeInstanceOf(Int16Array);
    expect(Array.from(pixels)).toEqual(expected);
  });

  it.each(['ct-s16-3frames.dcm', 'ct-s16-3frames-rle.dcm'])('every frame of multi-frame %s', async (name) => {
    const parsed = parseDicom(fixture(name));

    for (let f = 0; f < 3; f++) {
      const { pixels } = await decodePixels(parsed, f);
      expect(Array.from(pixels)).toEqual(image((r, c) => s16(r, c, f)));
    }
    await expect(decodePixels(parsed, 3)).rejects.toThrow(RangeError);
  });

  it('decodes Encapsulated Uncompressed (.1.2.1.98) frames', async () => {
    const frames = [int16Bytes([1, -2, 3, -4]), int16Bytes([5, -6, 7, -8])];
    const bytes = buildDicom(ctElements({ frames: 2, pixels: { fragments: frames } }), '1.2.840.10008.1.2.1.98');

    expect(Array.from(await decode(bytes, 1))).toEqual([5, -6, 7, -8]);
  });
});

describe('decodePixels: lossy syntaxes stay within their stated tolerance', () => {
  it('1.2.840.10008.1.2.4.81 JPEG-LS near-lossless: |error| <= NEAR = 2', async () => {
    const pixels = await decode(fixture('ct-smooth-jpeg-ls-near.dcm'));

    expect(errorStats(pixels, image(smooth)).max).toBeLessThanOrEqual(2);
  });

  it('1.2.840.10008.1.2.4.91 JPEG 2000 irreversible at 20:1: max error <= 24, mean <= 3', async () => {
    const pixels = await decode(fixture('ct-smooth-j2k-lossy.dcm'));

    const { max, mean } = errorStats(pixels, image(smooth));
    expect(max).toBeLessThanOrEqual(24);
    expect(mean).toBeLessThanOrEqual(3);
  });

  it.each(['ct-u8-jpeg-baseline.dcm', 'ct-u8-jpeg-extended.dcm'])(
    '%s (8-bit .50/.51, quality 95): HU within 24 (3 stored steps) of the source, mean <= 8',
    async (name) => {
      // dcmcjpeg rescales 8-bit data to the full range and rewrites slope/intercept, so compare HU.
      const src = parseDicom(fixture('ct-u8.dcm'));
      const jpg = parseDicom(fixture(name));

      const a = toHounsfield(src.header, await decodePixels(src)).hu;
      const b = toHounsfield(jpg.header, await decodePixels(jpg)).hu;

      const { max, mean } = errorStats(b, a);
      expect(max).toBeLessThanOrEqual(24);
      expect(mean).toBeLessThanOrEqual(8);
    },
  );
});

describe('decodePixels: stored values', () => {
  it('masks to BitsStored and sign-extends 12-bit signed data with junk high bits, leaving the input untouched', async () => {
    // Arrange: 12-bit signed values -1, -2048, 2047, 5 with overlay junk in bits 12..15
    const raw = Uint16Array.from([0xffff, 0x5800, 0xa7ff, 0xf005]);
    const bytes = buildDicom(ctElements({ bitsStored: 12, pixels: new Uint8Array(raw.buffer) }));
    const before = bytes.slice();

    // Act
    const pixels = await decode(bytes);

    // Assert
    expect(Array.from(pixels)).toEqual([-1, -2048, 2047, 5]);
    expect(bytes).toEqual(before);
  });

  it('masks unsigned 12-bit data to its 12 bits', async () => {
    const raw = Uint16Array.from([0xf000, 0x1fff, 0x0123, 0x8abc]);
    const bytes = buildDicom(ctElements({ bitsStored: 12, pixelRepresentation: 0, pixels: new Uint8Array(raw.buffer) }));

    const pixels = await decode(bytes);

    expect(pixels).toBeInstanceOf(Uint16Array);
    expect(Array.from(pixels)).toEqual([0x000, 0xfff, 0x123, 0xabc]);
  });

  it('reads signed 8-bit data as Int8Array', async () => {
    const bytes = buildDicom(ctElements({ bitsAllocated: 8, pixels: Uint8Array.from([0x80, 0xff, 0x00, 0x7f]) }));

    const pixels = await decode(bytes);

    expect(pixels).toBeInstanceOf(Int8Array);
    expect(Array.from(pixels)).toEqual([-128, -1, 0, 127]);
  });

  it('returns a zero-copy view for aligned native data and copies into `out` when given', () => {
    const bytes = fixture('ct-s16.dcm');
    const parsed = parseDicom(bytes);
    const out = new Int16Array(64 * 64);

    const view = decodeUncompressed(parsed).pixels;
    const copy = decodeUncompressed(parsed, 0, out).pixels;

    expect(view.buffer).toBe(bytes.buffer);
    expect(copy).toBe(out);
    expect(Array.from(copy)).toEqual(Array.from(view));
  });

  it('copies when the pixel data sits at an odd byte offset (no misaligned Int16Array view)', () => {
    const src = fixture('ct-s16.dcm');
    const odd = new Uint8Array(src.length + 1).subarray(1);
    odd.set(src);

    const { pixels } = decodeUncompressed(parseDicom(odd));

    expect(Array.from(pixels)).toEqual(image(s16));
  });

  it('decodes compressed frames into a reused `out` buffer', async () => {
    const parsed = parseDicom(fixture('ct-s16-jpeg-ls.dcm'));
    const out = new Int16Array(64 * 64);

    const { pixels } = await decodePixels(parsed, 0, out);

    expect(pixels).toBe(out);
    expect(Array.from(out)).toEqual(image(s16));
  });
});

describe('decodePixels: typed errors', () => {
  it('DICOM_UNSUPPORTED_TRANSFER_SYNTAX for 12-bit JPEG Extended, naming syntax and bit depth', async () => {
    const parsed = parseDicom(fixture('ct-u12-jpeg-extended.dcm'));

    const err = decodePixels(parsed);

    await expect(err).rejects.toMatchObject({ code: 'DICOM_UNSUPPORTED_TRANSFER_SYNTAX' });
    await expect(err).rejects.toThrow(/1\.2\.840\.10008\.1\.2\.4\.51.*12-bit/);
  });

  it('DICOM_UNSUPPORTED_TRANSFER_SYNTAX for an unknown UID, naming it', async () => {
    // Arrange: patch the meta header's UID in place (same length, so no lengths change)
    const bytes = fixture('ct-s16.dcm').slice();
    const text = Buffer.from(bytes).toString('latin1');
    bytes.set(Buffer.from('1.2.840.10008.9.9.9', 'latin1'), text.indexOf('1.2.840.10008.1.2.1\0'));

    const err = decodePixels(parseDicom(bytes));

    await expect(err).rejects.toMatchObject({ code: 'DICOM_UNSUPPORTED_TRANSFER_SYNTAX' });
    await expect(err).rejects.toThrow('1.2.840.10008.9.9.9');
  });

  it.each([
    ['zero rows', { rows: 0 }],
    ['10000 columns', { columns: 10000 }],
    ['zero frames', { frames: 0 }],
  ])('DICOM_ABSURD_DIMENSIONS for %s', async (_what, opts) => {
    const bytes = buildDicom(ctElements({ ...opts, pixels: int16Bytes([1, 2, 3, 4]) }));

    await expect(decode(bytes)).rejects.toMatchObject({ code: 'DICOM_ABSURD_DIMENSIONS' });
  });

  it('DICOM_PIXEL_DATA_SHORT when the pixel data is shorter than the dimensions say (a cut file)', async () => {
    const bytes = buildDicom(ctElements({ rows: 4, pixels: int16Bytes([1, 2, 3, 4]) }));

    await expect(decode(bytes)).rejects.toMatchObject({ code: 'DICOM_PIXEL_DATA_SHORT' });
  });

  it.each([
    ['RGB', { samplesPerPixel: 3, photometric: 'RGB' }],
    ['PALETTE COLOR', { photometric: 'PALETTE COLOR' }],
    ['YBR_FULL', { samplesPerPixel: 3, photometric: 'YBR_FULL' }],
    ['1-bit', { bitsAllocated: 1, bitsStored: 1 }],
  ])('DICOM_UNSUPPORTED_PIXEL_FORMAT for %s', async (what, opts) => {
    const bytes = buildDicom(ctElements({ ...opts, pixels: int16Bytes([1, 2, 3, 4]) }));

    const err = decode(bytes);

    await expect(err).rejects.toMatchObject({ code: 'DICOM_UNSUPPORTED_PIXEL_FORMAT' });
    if (what !== '1-bit') await expect(err).rejects.toThrow(what);
  });

  it('DICOM_DECODE_FAILED for a corrupt JPEG-LS codestream', async () => {
    const bytes = fixture('ct-s16-jpeg-ls.dcm').slice();
    bytes.fill(0x55, bytes.length - 1500, bytes.length - 100);

    await expect(decode(bytes)).rejects.toMatchObject({ code: 'DICOM_DECODE_FAILED' });
  });

  it('DICOM_DECODE_FAILED for RLE data whose segments do not match the pixel format', async () => {
    const rle = new Uint8Array(64);
    rle[0] = 3; // three segments for 16-bit grayscale
    const bytes = buildDicom(ctElements({ pixels: { fragments: [rle] } }), '1.2.840.10008.1.2.5');

    await expect(decode(bytes)).rejects.toMatchObject({ code: 'DICOM_DECODE_FAILED' });
  });

  it('DICOM_DECODE_FAILED when a compressed syntax carries native pixel data', async () => {
    const bytes = buildDicom(ctElements({ pixels: int16Bytes([1, 2, 3, 4]) }), '1.2.840.10008.1.2.4.90');

    await expect(decode(bytes)).rejects.toMatchObject({ code: 'DICOM_DECODE_FAILED' });
  });
});
