import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, encodeGrayPng, encodeRgbPng } from './png';

/** Splits a PNG into its chunks, checking each CRC. */
function chunks(png: Uint8Array): { type: string; data: Uint8Array }[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: { type: string; data: Uint8Array }[] = [];
  for (let at = 8; at < png.length; ) {
    const length = view.getUint32(at);
    const type = Buffer.from(png.subarray(at + 4, at + 8)).toString('latin1');
    expect(view.getUint32(at + 8 + length), `${type} CRC`).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
    out.push({ type, data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

describe('encodeGrayPng', () => {
  it('computes the standard CRC-32 check value and the well-known IEND CRC', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
  });

  it('writes signature, IHDR, IDAT, IEND holding exactly the pixels', () => {
    // Arrange: 3 x 2 with distinct values
    const gray = Uint8Array.from([0, 128, 255, 1, 2, 3]);

    // Act
    const png = encodeGrayPng(gray, 3, 2);

    // Assert
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const [ihdr, idat, iend, ...rest] = chunks(png);
    expect([ihdr?.type, idat?.type, iend?.type, rest.length]).toEqual(['IHDR', 'IDAT', 'IEND', 0]);
    expect(Array.from(ihdr!.data)).toEqual([0, 0, 0, 3, 0, 0, 0, 2, 8, 0, 0, 0, 0]);
    expect(Array.from(inflateSync(idat!.data))).toEqual([0, 0, 128, 255, 0, 1, 2, 3]);
    expect(iend!.data.length).toBe(0);
  });

  it('is read back pixel for pixel by an independent decoder (Python zlib + struct), when present', (ctx) => {
    const gray = Uint8Array.from({ length: 40 * 30 }, (_, i) => (i * 7) % 256);
    const file = join(mkdtempSync(join(tmpdir(), 'png-')), 'a.png');
    writeFileSync(file, encodeGrayPng(gray, 40, 30));
    const script = [
      'import sys, struct, zlib',
      'b = open(sys.argv[1], "rb").read(); at = 8; idat = b""',
      'while at < len(b):',
      '    n, = struct.unpack(">I", b[at:at+4]); t = b[at+4:at+8]',
      '    if t == b"IHDR": w, h = struct.unpack(">II", b[at+8:at+16])',
      '    if t == b"IDAT": idat += b[at+8:at+8+n]',
      '    if zlib.crc32(b[at+4:at+8+n]) != struct.unpack(">I", b[at+8+n:at+12+n])[0]: sys.exit("bad crc")',
      '    at += 12 + n',
      'raw = zlib.decompress(idat)',
      'print(w, h, sum(raw[y*(w+1)+1+x] * (y*w+x) for y in range(h) for x in range(w)))',
    ].join('\n');
    const run = spawnSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' });
    if (run.error !== undefined) return ctx.skip(); // no python3 here

    const checksum = gray.reduce((s, v, i) => s + v * i, 0);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe(`40 30 ${checksum}`);
  });

  it('rejects a buffer that does not match the dimensions', () => {
    expect(() => encodeGrayPng(new Uint8Array(5), 2, 2)).toThrow(RangeError);
  });
});

describe('encodeRgbPng', () => {
  it('writes colour type 2 with three bytes per pixel per scanline', () => {
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]);

    const [ihdr, idat] = chunks(encodeRgbPng(rgb, 2, 2));

    expect(Array.from(ihdr!.data)).toEqual([0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0]);
    expect(Array.from(inflateSync(idat!.data))).toEqual([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 9, 9, 9]);
    expect(() => encodeRgbPng(new Uint8Array(11), 2, 2)).toThrow(RangeError);
  });
});
