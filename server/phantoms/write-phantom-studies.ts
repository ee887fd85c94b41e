import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LABELS, SUBTYPES } from '@/lib/labels';
import { generateDemoStudy } from './generate-demo-study';
import { generatePhantomStudy } from './generate-phantom-study';
import { createRandom, deriveSeed } from './random';
import { TRUTH_CSV_HEADER, truthCsvRows } from './truth-csv';
import type { PhantomOptions, PhantomStudy, PixelFormat, Subtype } from './types';

/** What to bleed: every study normal, every study the same subtypes, or a seeded mix. */
export type PhantomMix = 'normal' | 'mix' | readonly Subtype[];

/**
 * - `demo` (default): the shipped real head CT with synthetic bleeds (generateDemoStudy); the
 *   studies the model is meant to read, so the demo's ranking means something;
 * - `cartoon`: the drawn phantom (generatePhantomStudy): any size, slice count and pixel format,
 *   cheap, for tests of the pipeline rather than of the model.
 */
export type PhantomKind = 'demo' | 'cartoon';
export const PHANTOM_KINDS: readonly PhantomKind[] = ['demo', 'cartoon'];

export interface WritePhantomStudiesOptions {
  outDir: string;
  studies: number;
  /** Study i uses seed + i, so any one study can be regenerated alone. */
  seed: number;
  subtype: PhantomMix;
  /** Default `demo`; `pixelFormat` and `sliceThickness` apply to `cartoon` only. */
  kind?: PhantomKind;
  slices?: number;
  size?: number;
  sliceThickness?: number;
  pixelFormat?: PixelFormat;
}

export interface WrittenStudy {
  folder: string;
  seed: number;
  studyInstanceUid: string;
  slices: number;
  /** Subtypes asked for (cartoon) or present in the study's truth (demo). */
  subtypes: Subtype[];
}

/**
 * The hemorrhage of study `seed` in a "mix": 40% normal, 45% one subtype, 15% two, roughly the
 * share of positive studies a triage system must handle (RSNA 2019 is ~40% positive by study).
 */
export function mixHemorrhage(seed: number): Subtype[] {
  const rng = createRandom(deriveSeed(seed, 'mix'));
  const roll = rng.next();
  if (roll < 0.4) return [];
  const first = rng.pick(SUBTYPES);
  if (roll < 0.85) return [first];
  const second = rng.pick(SUBTYPES.filter((s) => s !== first));
  return SUBTYPES.filter((s) => s === first || s === second);
}

/**
 * The hemorrhage of demo study `seed` in a "mix": 60% normal, 30% one subtype, 10% two. A demo
 * worklist with 40% bleeds shows triage (most studies normal, the bleeds to be found among them).
 */
export function demoMixHemorrhage(seed: number): Subtype[] {
  const rng = createRandom(deriveSeed(seed, 'demo-mix'));
  const roll = rng.next();
  if (roll < 0.6) return [];
  const first = rng.pick(SUBTYPES);
  if (roll < 0.9) return [first];
  const second = rng.pick(SUBTYPES.filter((s) => s !== first));
  return SUBTYPES.filter((s) => s === first || s === second);
}

/** One study of `kind` with `subtypes` (the options a kind does not use are ignored). */
export function generateStudyOfKind(kind: PhantomKind, seed: number, subtypes: readonly Subtype[], o: Pick<WritePhantomStudiesOptions, 'slices' | 'size' | 'sliceThickness' | 'pixelFormat'> = {}): PhantomStudy {
  if (kind === 'demo') return generateDemoStudy({ seed, hemorrhage: subtypes, slices: o.slices, size: o.size });
  const options: PhantomOptions = { seed, hemorrhage: subtypes, slices: o.slices, size: o.size, sliceThickness: o.sliceThickness, pixelFormat: o.pixelFormat };
  return generatePhantomStudy(options);
}

/**
 * Writes `studies` studies of `kind` under `outDir`, one folder per study (`<SOPInstanceUID>.dcm`
 * files), plus `truth.csv` (RSNA format, every slice) and `studies.csv` (study-level labels).
 * Generates one study at a time so memory stays at one study.
 */
export async function writePhantomStudies(o: WritePhantomStudiesOptions): Promise<WrittenStudy[]> {
  await mkdir(o.outDir, { recursive: true });
  const truthRows = [TRUTH_CSV_HEADER];
  const studyRows = [['folder', 'seed', 'StudyInstanceUID', ...LABELS].join(',')];
  const written: WrittenStudy[] = [];
  for (let i = 0; i < o.studies; i++) {
    const seed = (o.seed + i) >>> 0;
    const kind = o.kind ?? 'demo';
    const subtypes = o.subtype === 'normal' ? [] : o.subtype === 'mix' ? (kind === 'demo' ? demoMixHemorrhage(seed) : mixHemorrhage(seed)) : [...o.subtype];
    const study = generateStudyOfKind(kind, seed, subtypes, o);
    const folder = `study-${String(i + 1).padStart(4, '0')}-seed-${seed}`;
    await mkdir(join(o.outDir, folder), { recursive: true });
    for (const slice of study.slices) await writeFile(join(o.outDir, folder, `${slice.sopInstanceUid}.dcm`), slice.bytes);
    truthRows.push(...truthCsvRows([study]));
    studyRows.push([folder, seed, study.studyInstanceUid, ...LABELS.map((l) => study.truth[l])].join(','));
    // Demo truth comes from the synthesis mask: a subtype that found no place in the scan is not claimed.
    written.push({ folder, seed, studyInstanceUid: study.studyInstanceUid, slices: study.slices.length, subtypes: kind === 'demo' ? SUBTYPES.filter((s) => study.truth[s] === 1) : subtypes });
  }
  await writeFile(join(o.outDir, 'truth.csv'), truthRows.join('\n') + '\n');
  await writeFile(join(o.outDir, 'studies.csv'), studyRows.join('\n') + '\n');
  return written;
}
