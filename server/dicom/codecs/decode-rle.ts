import { AppError } from '@/lib/errors';
import type { DicomHeader } from '../types';
import { allocateStored, normalizeStored, type StoredArray } from './stored-pixels';

/**
 * Decodes one RLE Lossless frame (PS3.5 Annex G). Written by hand as cornerstone and pydicom do:
 * the format is a 64-byte header of segment offsets and one PackBits stream per byte plane, most
 * significant plane first, and no maintained package decodes it on its own.
 */
export function decodeRle(header: DicomHeader, frame: Uint8Array, out?: StoredArray): StoredArray {
  const length = header.rows * header.columns;
  const bytesPerSample = header.bitsAllocated >> 3;
  if (frame.length < 64) throw fail(`frame is ${frame.length} bytes, shorter than the 64-byte RLE header`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  if (segments !== bytesPerSample) {
    throw fail(`${segments} segments for ${header.bitsAllocated}-bit single-sample pixels (expected ${bytesPerSample})`);
  }
  const pixels = allocateStored(header, length, out);
  // Little-endian output on a little-endian host: plane s (MSB first) is byte (size - 1 - s).
  const dst = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : frame.length;
    if (start < 64 || end > frame.length || start > end) throw fail(`segment ${s + 1} offsets ${start}..${end} lie outside the ${frame.length}-byte frame`);
    const written = unpackBits(frame, start, end, dst, bytesPerSample - 1 - s, bytesPerSample, length);
    if (written < length) throw fail(`segment ${s + 1} decoded to ${written} of ${length} bytes`);
  }
  normalizeStored(pixels, header);
  return pixels;
}

/** PackBits from src[start, end) into every `stride`-th byte of dst from `at`; returns bytes written. */
function unpackBits(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number, stride: number, count: number): number {
  let i = start;
  let n = 0;
  let o = at;
  while (i < end && n < count) {
    const header = src[i++]!;
    if (header < 128) {
      // Literal run of header + 1 bytes.
      const run = Math.min(header + 1, count - n, end - i);
      for (let k = 0; k < run; k++, o += stride) dst[o] = src[i + k]!;
      i += header + 1;
      n += run;
    } else if (header > 128) {
      // Replicate the next byte 257 - header times; 128 is a no-op.
      if (i >= end) break;
      const value = src[i++]!;
      const run = Math.min(257 - header, count - n);
      for (let k = 0; k < run; k++, o += stride) dst[o] = value;
      n += run;
    }
  }
  return n;
}

function fail(message: string): AppError {
  return new AppError('DICOM_DECODE_FAILED', `1.2.840.10008.1.2.5 (RLE Lossless): ${message}`);
}
