/**
 * The pixel values scripts/make-dicom-fixtures.sh writes into the fixtures, so tests know every
 * expected stored value without trusting any decoder. Keep the two in step.
 */
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('./', import.meta.url));
export const SIZE = 64;

/** Python's round(): half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** ct-s16*.dcm: signed 16-bit, padding corner -2000, int16 extremes at (63,62) and (63,63). */
export function s16(r: number, c: number, frame = 0): number {
  if (r < 4 && c < 4) return -2000;
  if (r === 63 && c === 62) return -32768;
  if (r === 63 && c === 63) return 32767;
  return (((r * 64 + c) * 13) % 4000) - 1000 + frame * 7;
}

/** ct-smooth*.dcm: a smooth signed image for the lossy syntaxes. */
export function smooth(r: number, c: number): number {
  return roundHalfEven(800 * Math.sin(r / 10) * Math.cos(c / 13)) + 40;
}

/** ct-u8*.dcm: unsigned 8-bit (RescaleSlope 8, RescaleIntercept -1024). */
export function u8(r: number, c: number): number {
  return roundHalfEven(127.5 + 100 * Math.sin(r / 8) * Math.cos(c / 11));
}

/** ct-u12-rsna.dcm stores this HU modulo 4096 as unsigned 12-bit with intercept 0. */
export function rsnaHu(r: number, c: number): number {
  return (((r * 64 + c) * 7) % 3000) - 1000;
}

/** The whole 64 x 64 image of a pattern, row-major. */
export function image(pattern: (r: number, c: number) => number): number[] {
  const out: number[] = [];
  for (let r = 0; r < SIZE; r++) for (let c = 0; c < SIZE; c++) out.push(pattern(r, c));
  return out;
}
