import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { AppError } from '@/lib/errors';

/** One slice of the shipped real head CT: Hounsfield units and where the scanner put it. */
export interface AnatomySlice {
  hu: Int16Array;
  imagePositionPatient: [number, number, number];
  sliceThickness: number;
}

/** The demo's real anatomy: a normal head CT volume and its geometry (see anatomy/ge-head-ct/README.md). */
export interface DemoAnatomy {
  rows: number;
  columns: number;
  /** [row spacing, column spacing] in mm. */
  pixelSpacing: [number, number];
  imageOrientationPatient: [number, number, number, number, number, number];
  gantryDetectorTilt: number;
  /** In InstanceNumber order (feet → head). */
  slices: AnatomySlice[];
}

interface AnatomyJson {
  rows: number;
  columns: number;
  pixelSpacing: [number, number];
  imageOrientationPatient: [number, number, number, number, number, number];
  gantryDetectorTilt: number;
  sha256: string;
  slices: { imagePositionPatient: [number, number, number]; sliceThickness: number }[];
}

const DIR = new URL('./anatomy/ge-head-ct/', import.meta.url);
let cached: DemoAnatomy | undefined;

/**
 * The shipped GE head CT, decompressed once per process (~0.1 s, 15 MB) and then shared: callers
 * must not write into its arrays. Throws AppError INTERNAL when the files are missing or corrupt.
 */
export function loadDemoAnatomy(): DemoAnatomy {
  if (cached) return cached;
  let meta: AnatomyJson;
  let raw: Buffer;
  try {
    meta = JSON.parse(readFileSync(new URL('anatomy.json', DIR), 'utf8')) as AnatomyJson;
    raw = gunzipSync(readFileSync(new URL('volume.i16.gz', DIR)));
  } catch (err) {
    throw new AppError('INTERNAL', `demo anatomy unreadable (${DIR.pathname}): ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
  }
  const n = meta.rows * meta.columns;
  if (raw.length !== meta.slices.length * n * 2) throw new AppError('INTERNAL', `demo anatomy volume has ${raw.length} bytes, expected ${meta.slices.length * n * 2}`);
  const digest = createHash('sha256').update(raw).digest('hex');
  if (digest !== meta.sha256) throw new AppError('INTERNAL', 'demo anatomy volume does not match its SHA-256 in anatomy.json');
  // Copy into an aligned buffer (gunzip's may start at an odd offset); the data is little-endian, as is every host Node runs on here.
  const all = new Int16Array(n * meta.slices.length);
  new Uint8Array(all.buffer).set(raw);
  cached = {
    rows: meta.rows,
    columns: meta.columns,
    pixelSpacing: meta.pixelSpacing,
    imageOrientationPatient: meta.imageOrientationPatient,
    gantryDetectorTilt: meta.gantryDetectorTilt,
    slices: meta.slices.map((s, k) => ({ hu: all.subarray(k * n, (k + 1) * n), imagePositionPatient: s.imagePositionPatient, sliceThickness: s.sliceThickness })),
  };
  return cached;
}
