import { AppError } from '@/lib/errors';
import type { DicomHeader } from './types';

const SOC = 0xff4f;
const SIZ = 0xff51;
/** Isot, the tile index, is 16 bits (ITU-T T.800 A.4.2): more tiles than this is a corrupt SIZ. */
const MAX_TILES = 65535;

/**
 * Checks the SIZ segment of a JPEG 2000 / HTJ2K frame against the header before a codec sees it.
 * Why: a codestream whose one component claims subsampling (XRsiz/YRsiz != 1) makes OpenJPEG
 * return garbage with no error and makes OpenJPH loop forever; a CT image is never subsampled.
 * Throws DICOM_DECODE_FAILED (or DICOM_UNSUPPORTED_PIXEL_FORMAT for several components).
 */
export function checkJ2kCodestream(frame: Uint8Array, header: Pick<DicomHeader, 'rows' | 'columns'>, what: string): void {
  const cs = codestream(frame);
  const fail = (why: string) => new AppError('DICOM_DECODE_FAILED', `${what}: ${why}`);
  if (cs === undefined || cs.length < 4 || u16(cs, 0) !== SOC || u16(cs, 2) !== SIZ) {
    throw fail('frame does not start with a JPEG 2000 codestream (SOC, SIZ)');
  }
  if (cs.length < 4 + 38 + 3) throw fail('codestream ends inside its SIZ segment');
  const lsiz = u16(cs, 4);
  const [xsiz, ysiz, xosiz, yosiz, xtsiz, ytsiz, xtosiz, ytosiz] = [8, 12, 16, 20, 24, 28, 32, 36].map((at) => u32(cs, at)) as number[] as [
    number, number, number, number, number, number, number, number,
  ];
  const csiz = u16(cs, 40);
  if (csiz < 1 || lsiz !== 38 + 3 * csiz || cs.length < 4 + lsiz) throw fail(`SIZ segment is malformed (Lsiz ${lsiz}, Csiz ${csiz})`);
  if (csiz !== 1) {
    throw new AppError('DICOM_UNSUPPORTED_PIXEL_FORMAT', `${what}: codestream has ${csiz} components; only grayscale is supported`);
  }
  const width = xsiz - xosiz;
  const height = ysiz - yosiz;
  if (xsiz <= xosiz || ysiz <= yosiz || width !== header.columns || height !== header.rows) {
    throw fail(`codestream is ${width} x ${height}, header says ${header.columns} x ${header.rows}`);
  }
  const xr = cs[43]!;
  const yr = cs[44]!;
  if (xr !== 1 || yr !== 1) throw fail(`codestream subsamples its component ${xr} x ${yr}; CT images are never subsampled`);
  const tiles = xtsiz < 1 || ytsiz < 1 || xtosiz > xosiz || ytosiz > yosiz ? Infinity : Math.ceil((xsiz - xtosiz) / xtsiz) * Math.ceil((ysiz - ytosiz) / ytsiz);
  if (!(tiles <= MAX_TILES)) throw fail(`SIZ tiling (${xtsiz} x ${ytsiz} from ${xtosiz},${ytosiz}) is impossible`);
}

/** The raw codestream: the frame itself, or the contents of the jp2c box of a JP2 file. */
function codestream(frame: Uint8Array): Uint8Array | undefined {
  if (frame.length >= 2 && u16(frame, 0) === SOC) return frame;
  // Some writers wrap the codestream in JP2 boxes (length, type); walk them to 'jp2c'.
  for (let at = 0; at + 8 <= frame.length; ) {
    const length = u32(frame, at);
    const type = String.fromCharCode(...frame.subarray(at + 4, at + 8));
    const size = length === 0 ? frame.length - at : length;
    if (type === 'jp2c') return frame.subarray(at + 8, at + size);
    if (size < 8) return undefined;
    at += size;
  }
  return undefined;
}

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
}
