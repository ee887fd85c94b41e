import { describe, expect, it } from 'vitest';
import { checkJ2kCodestream } from './check-j2k-codestream';

/** SOC + SIZ for one 16-bit component (annotated), then an EOC marker. */
function codestream(o: { width?: number; height?: number; components?: number; xr?: number; yr?: number; tile?: number } = {}): Uint8Array {
  const be = (bytes: number, v: number) => Array.from({ length: bytes }, (_, i) => (v >>> (8 * (bytes - 1 - i))) & 0xff);
  const components = o.components ?? 1;
  const tile = o.tile ?? 64;
  return Uint8Array.from([
    ...[0xff, 0x4f], //                                SOC
    ...[0xff, 0x51], //                                SIZ
    ...be(2, 38 + 3 * components), //                  Lsiz
    ...be(2, 0), //                                    Rsiz
    ...be(4, o.width ?? 64), ...be(4, o.height ?? 64), // Xsiz, Ysiz
    ...be(4, 0), ...be(4, 0), //                       XOsiz, YOsiz
    ...be(4, tile), ...be(4, tile), //                 XTsiz, YTsiz
    ...be(4, 0), ...be(4, 0), //                       XTOsiz, YTOsiz
    ...be(2, components), //                           Csiz
    ...Array.from({ length: components }, () => [0x8f, o.xr ?? 1, o.yr ?? 1]).flat(), // Ssiz (signed 16), XRsiz, YRsiz
    ...[0xff, 0xd9], //                                EOC
  ]);
}

const header = { rows: 64, columns: 64 };
const check = (frame: Uint8Array) => () => checkJ2kCodestream(frame, header, 'test');

describe('checkJ2kCodestream', () => {
  it('accepts a plain single-component codestream matching the header', () => {
    expect(check(codestream())).not.toThrow();
  });

  it('accepts a codestream wrapped in JP2 boxes, finding it in jp2c', () => {
    const cs = codestream();
    const box = (type: string, body: number[]) => [0, 0, 0, 8 + body.length, ...Array.from(type, (c) => c.charCodeAt(0)), ...body];
    const jp2 = Uint8Array.from([...box('jP  ', [0x0d, 0x0a, 0x87, 0x0a]), ...box('ftyp', [0x6a, 0x70, 0x32, 0x20, 0, 0, 0, 0]), ...box('jp2c', [...cs])]);

    expect(check(jp2)).not.toThrow();
  });

  it.each([
    ['a subsampled component', codestream({ yr: 2 }), /subsamples its component 1 x 2/],
    ['other dimensions than the header', codestream({ width: 512 }), /512 x 64, header says 64 x 64/],
    ['no SOC marker', Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]), /does not start with a JPEG 2000 codestream/],
    ['a SIZ cut short', codestream().subarray(0, 30), /ends inside its SIZ/],
    ['zero-size tiles', codestream({ tile: 0 }), /tiling/],
  ])('DICOM_DECODE_FAILED for %s', (_what, frame, message) => {
    expect(check(frame)).toThrow(expect.objectContaining({ code: 'DICOM_DECODE_FAILED', message: expect.stringMatching(message) }));
  });

  it('DICOM_UNSUPPORTED_PIXEL_FORMAT for three components', () => {
    expect(check(codestream({ components: 3 }))).toThrow(expect.objectContaining({ code: 'DICOM_UNSUPPORTED_PIXEL_FORMAT' }));
  });

  it('DICOM_DECODE_FAILED for tiles too small to be numbered (more than 65535)', () => {
    expect(() => checkJ2kCodestream(codestream({ width: 512, height: 512, tile: 1 }), { rows: 512, columns: 512 }, 'test')).toThrow(/tiling/);
  });
});
