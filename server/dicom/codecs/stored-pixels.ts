import { AppError } from '@/lib/errors';
import type { DicomHeader, StoredFrame } from '../types';

export type StoredArray = StoredFrame['pixels'];
type PixelFormat = Pick<DicomHeader, 'bitsAllocated' | 'bitsStored' | 'pixelRepresentation'>;

/** The typed array for `length` stored values of this format; reuses `out` when it fits. */
export function allocateStored(format: PixelFormat, length: number, out?: StoredArray): StoredArray {
  const signed = format.pixelRepresentation === 1;
  const Ctor =
    format.bitsAllocated === 8
      ? signed ? Int8Array : Uint8Array
      : format.bitsAllocated === 16
        ? signed ? Int16Array : Uint16Array
        : signed ? Int32Array : Uint32Array;
  // A caller's buffer of another type or too small is not an error: the frame just gets a new one.
  if (out instanceof Ctor && out.length >= length) return out.length === length ? out : out.subarray(0, length);
  return new Ctor(length);
}

/**
 * A typed view of little-endian samples in `bytes` when alignment allows (zero-copy), else a copy.
 * The view aliases `bytes`: it lives as long as they do.
 */
export function viewStored(format: PixelFormat, bytes: Uint8Array, length: number): StoredArray {
  const size = format.bitsAllocated >> 3;
  if (bytes.byteOffset % size === 0) {
    const signed = format.pixelRepresentation === 1;
    const { buffer, byteOffset } = bytes;
    // A plain Uint8Array even when the input is a Buffer, so callers see one set of types.
    if (size === 1) return signed ? new Int8Array(buffer, byteOffset, length) : new Uint8Array(buffer, byteOffset, length);
    if (size === 2) return signed ? new Int16Array(buffer, byteOffset, length) : new Uint16Array(buffer, byteOffset, length);
    return signed ? new Int32Array(buffer, byteOffset, length) : new Uint32Array(buffer, byteOffset, length);
  }
  return copyStored(format, bytes, length);
}

/** Copies `length` little-endian samples from `bytes` into a (reused) typed array. */
export function copyStored(format: PixelFormat, bytes: Uint8Array, length: number, out?: StoredArray): StoredArray {
  const dst = allocateStored(format, length, out);
  new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength).set(bytes.subarray(0, dst.byteLength));
  return dst;
}

/**
 * Takes a decoder's little-endian output (`bytesPerSample` each) as stored values: checks its size,
 * copies (widening if the codestream is narrower than Bits Allocated) into `out` or a fresh array,
 * and applies the Bits Stored mask / sign extension.
 */
export function storedFromDecoded(
  format: PixelFormat,
  decoded: Uint8Array,
  bytesPerSample: number,
  length: number,
  what: string,
  out?: StoredArray,
): StoredArray {
  const allocated = format.bitsAllocated >> 3;
  if (bytesPerSample > allocated || ![1, 2, 4].includes(bytesPerSample)) {
    throw new AppError('DICOM_DECODE_FAILED', `${what}: ${bytesPerSample * 8}-bit decoded samples do not fit BitsAllocated ${format.bitsAllocated}`);
  }
  if (decoded.byteLength < length * bytesPerSample) {
    throw new AppError('DICOM_DECODE_FAILED', `${what}: decoded ${decoded.byteLength} bytes, the frame needs ${length * bytesPerSample}`);
  }
  let pixels: StoredArray;
  if (bytesPerSample === allocated) {
    pixels = copyStored(format, decoded, length, out);
  } else {
    pixels = allocateStored(format, length, out);
    const view = new DataView(decoded.buffer, decoded.byteOffset, decoded.byteLength);
    for (let i = 0; i < length; i++) pixels[i] = bytesPerSample === 1 ? decoded[i]! : view.getUint16(2 * i, true);
  }
  normalizeStored(pixels, format);
  return pixels;
}

/**
 * True when some value lies outside what Bits Stored allows: junk in the unused high bits (overlay
 * bits, or a codec that returns the raw unsigned bit pattern of signed samples).
 */
export function needsNormalize(pixels: StoredArray, format: PixelFormat): boolean {
  const bits = format.bitsStored;
  if (bits >= format.bitsAllocated) return false;
  const signed = format.pixelRepresentation === 1;
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i]!;
    if (v < min || v > max) return true;
  }
  return false;
}

/** Masks each value to Bits Stored and sign-extends it when signed, in place. */
export function normalizeStored(pixels: StoredArray, format: PixelFormat): void {
  const bits = format.bitsStored;
  if (bits >= format.bitsAllocated) return;
  if (format.pixelRepresentation === 1) {
    // Shift the sign bit of the stored field to bit 31, then back: an arithmetic sign extension.
    const shift = 32 - bits;
    for (let i = 0; i < pixels.length; i++) pixels[i] = (pixels[i]! << shift) >> shift;
  } else {
    const mask = bits === 32 ? 0xffffffff : 2 ** bits - 1;
    for (let i = 0; i < pixels.length; i++) pixels[i] = (pixels[i]! & mask) >>> 0;
  }
}
