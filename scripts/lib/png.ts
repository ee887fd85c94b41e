/**
 * A minimal PNG writer (8-bit grayscale or RGB, no interlace) on node:zlib: enough for tools that show
 * images to people, without an image library. PNG spec: https://www.w3.org/TR/png-3/
 */
import { deflateSync } from 'node:zlib';

const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const COLOR_TYPE_GRAY = 0;
const COLOR_TYPE_RGB = 2;

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, as PNG chunks use) of `bytes`, chained from `crc`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = ~crc >>> 0;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(data, 8);
  // The CRC covers the type and the data, not the length.
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encodes `gray` (row-major, one byte per pixel, width x height) as a PNG file. */
export function encodeGrayPng(gray: Uint8Array, width: number, height: number): Uint8Array {
  return encodePng(gray, width, height, 1);
}

/** Encodes `rgb` (row-major, three bytes per pixel: red, green, blue) as a PNG file. */
export function encodeRgbPng(rgb: Uint8Array, width: number, height: number): Uint8Array {
  return encodePng(rgb, width, height, 3);
}

function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3): Uint8Array {
  const kind = channels === 1 ? 'grayscale' : 'RGB';
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || pixels.length !== width * height * channels) {
    throw new RangeError(`${pixels.length} bytes cannot be a ${width} x ${height} ${kind} image`);
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, channels === 1 ? COLOR_TYPE_GRAY : COLOR_TYPE_RGB, 0, 0, 0], 8); // bit depth, colour type, compression, filter, interlace

  // Each scanline starts with its filter type; 0 (None) is plenty for a debugging image.
  const line = width * channels;
  const raw = new Uint8Array(height * (line + 1));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * line, (y + 1) * line), y * (line + 1) + 1);

  const parts = [SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  return Buffer.concat(parts);
}
