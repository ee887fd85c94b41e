import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDicom, ctElements } from '@/server/dicom/__fixtures__/build-dicom';

/** One row of the benchmark: a set of files, all read into memory before any timing. */
export interface InputSet {
  name: string;
  transferSyntax: string;
  files: string[];
  bytes: Uint8Array[];
}

const SIZE = 512;

/**
 * A 512x512 signed 16-bit axial head slice (intercept -1024): air, a skull ring, brain with noise,
 * ventricles. Only the bytes' realism matters here (value range, compressibility), not anatomy.
 */
function syntheticSlice(z: number): Uint8Array {
  const px = new Int16Array(SIZE * SIZE);
  let seed = 0x9e3779b9 ^ z;
  const noise = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return (seed / 2 ** 32 - 0.5) * 12;
  };
  const ry = 200 - Math.abs(z - 16) * 3;
  const rx = 160 - Math.abs(z - 16) * 2;
  for (let r = 0; r < SIZE; r++) {
    for (let c = 0; c < SIZE; c++) {
      const e = ((r - 256) / ry) ** 2 + ((c - 256) / rx) ** 2;
      const v = ((r - 240) / 30) ** 2 + ((c - 256) / 12) ** 2;
      const hu = e > 1.1 ? -1000 : e > 0.9 ? 900 + noise() * 20 : v < 1 ? 8 + noise() : 36 + noise();
      px[r * SIZE + c] = Math.round(hu + 1024);
    }
  }
  return new Uint8Array(px.buffer);
}

/** Writes `count` synthetic explicit-VR-little-endian CT slices into `dir`. */
function writeSynthetic(dir: string, count: number): string[] {
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: count }, (_, z) => {
    const file = join(dir, `slice-${String(z).padStart(3, '0')}.dcm`);
    const elements = ctElements({ rows: SIZE, columns: SIZE, pixels: syntheticSlice(z) });
    // Distinct SOP Instance UIDs so the files look like one real series.
    const uid = elements.find(([tag]) => tag === 0x00080018)!;
    uid[2] = `2.25.9001${z}`;
    writeFileSync(file, buildDicom(elements));
    return file;
  });
}

/** Re-encodes every file with a dcmtk tool (`dcmcrle`, `dcmcjpls`) into `dir`. */
function transcode(tool: string, files: string[], dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return files.map((file, i) => {
    const out = join(dir, `${String(i).padStart(3, '0')}.dcm`);
    execFileSync(tool, [file, out], { stdio: 'ignore' });
    return out;
  });
}

function hasTool(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const load = (name: string, transferSyntax: string, files: string[]): InputSet => ({
  name,
  transferSyntax,
  files,
  bytes: files.map((f) => new Uint8Array(readFileSync(f))),
});

/**
 * The benchmark's inputs, written into `tmp` (never the repository): the real GE head CT when
 * `realDir` exists (read in place, not copied), synthetic slices always, and RLE / JPEG-LS lossless
 * copies of the first uncompressed set when dcmtk is installed.
 */
export function prepareInputs(tmp: string, realDir: string, syntheticCount: number): InputSet[] {
  const sets: InputSet[] = [];
  if (existsSync(realDir)) {
    const files = readdirSync(realDir).filter((f) => f.endsWith('.dcm')).sort().map((f) => join(realDir, f));
    if (files.length > 0) sets.push(load(`GE head CT (real, ${files.length} slices)`, 'Explicit VR LE', files));
  }
  const synthetic = writeSynthetic(join(tmp, 'synthetic'), syntheticCount);
  sets.push(load(`Synthetic head slices (${syntheticCount})`, 'Explicit VR LE', synthetic));
  const base = sets[0]!;
  const what = base === sets.at(-1) ? 'synthetic' : 'GE head CT';
  if (hasTool('dcmcrle')) sets.push(load(`${what}, re-encoded`, 'RLE Lossless', transcode('dcmcrle', base.files, join(tmp, 'rle'))));
  if (hasTool('dcmcjpls')) {
    sets.push(load(`${what}, re-encoded`, 'JPEG-LS Lossless', transcode('dcmcjpls', base.files, join(tmp, 'jpeg-ls'))));
  }
  return sets;
}
