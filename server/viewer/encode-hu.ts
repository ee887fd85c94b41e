import { endianness } from 'node:os';

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/**
 * Hounsfield units as the slice API sends them: rounded to whole HU, clamped to Int16, little-endian
 * whatever the host's byte order. Whole HU lose nothing a display can show (windows are ≥ 1 HU
 * wide) and halve the bytes of float32.
 */
export function encodeHuInt16LE(hu: Float32Array): Uint8Array<ArrayBuffer> {
  const out = new Int16Array(hu.length);
  for (let i = 0; i < hu.length; i++) {
    const v = Math.round(hu[i]!);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v === v ? v : -1024; // NaN → air
  }
  const bytes = new Uint8Array(out.buffer);
  if (!LITTLE_ENDIAN_HOST) for (let i = 0; i < bytes.length; i += 2) [bytes[i], bytes[i + 1]] = [bytes[i + 1]!, bytes[i]!];
  return bytes;
}
