import { AppError } from '@/lib/errors';
import { LABELS, SUBTYPES, type LabelRecord } from '@/lib/labels';
import { createHeadModel } from './head-model';
import { phantomUid } from './phantom-uid';
import { BLOOD, EDEMA, planBleed } from './plan-bleed';
import { createPolarGrid } from './polar-grid';
import { createRandom, deriveSeed } from './random';
import { renderAnatomy } from './render-anatomy';
import { createSliceGeometry } from './slice-geometry';
import { createNoiseTable, storePixels, STORAGE } from './store-pixels';
import type { PhantomOptions, PhantomSlice, PhantomStudy, Subtype } from './types';
import { writeCtSlice } from './write-ct-slice';

/** Reconstruction field of view (mm): a typical head FOV, whatever the matrix size. */
export const FIELD_OF_VIEW_MM = 240;
/** HU of perihematomal oedema (hypodense against white matter). */
const EDEMA_HU = 18;
/** Cross-sections smaller than this (mm²) are dropped, so no slice is labelled for a speck. */
const MIN_BLEED_AREA_MM2 = 6;

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new AppError('VALIDATION_FAILED', `phantom ${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

function numberIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) throw new AppError('VALIDATION_FAILED', `phantom ${name} must be in [${min}, ${max}], got ${value}`);
  return value;
}

function subtypesOf(h: PhantomOptions['hemorrhage']): Subtype[] {
  const list = h == null ? [] : typeof h === 'string' ? [h] : [...h];
  for (const s of list) {
    if (!SUBTYPES.includes(s)) throw new AppError('VALIDATION_FAILED', `unknown hemorrhage subtype "${String(s)}"; expected one of ${SUBTYPES.join(', ')}`);
  }
  // Label order, no duplicates: the plan (and so the output) must not depend on how it was asked.
  return SUBTYPES.filter((s) => list.includes(s));
}

const noLabels = (): LabelRecord<0 | 1> => Object.fromEntries(LABELS.map((l) => [l, 0])) as LabelRecord<0 | 1>;

/** "YYYYMMDD", "HHMMSS" of a seeded moment in 2024–2025. */
export function studyMoment(seed: number): { date: string; time: string } {
  const rng = createRandom(deriveSeed(seed, 'moment'));
  const t = new Date(Date.UTC(2024, 0, 1) + rng.int(0, 729) * 86_400_000 + rng.int(0, 86_399) * 1000);
  const iso = t.toISOString(); // 2024-03-05T07:08:09.000Z
  return { date: iso.slice(0, 10).replaceAll('-', ''), time: iso.slice(11, 19).replaceAll(':', '') };
}

/**
 * Generates one synthetic non-contrast head-CT series: a seeded head (skull, scalp, grey/white
 * matter, ventricles, sulci, cisterns, noise) with the requested hemorrhage, one DICOM file per
 * slice and RSNA labels per slice and for the study. Same options → byte-identical files.
 * Throws AppError VALIDATION_FAILED for out-of-range options.
 */
export function generatePhantomStudy(options: PhantomOptions): PhantomStudy {
  const seed = integerIn('seed', options.seed, 0, 0xffffffff);
  const count = integerIn('slices', options.slices ?? 32, 1, 512);
  const size = integerIn('size', options.size ?? 512, 16, 1024);
  const thickness = numberIn('sliceThickness', options.sliceThickness ?? 5, 0.5, 10);
  const pixelFormat = options.pixelFormat ?? 'int16';
  const storage = STORAGE[pixelFormat];
  if (storage === undefined) throw new AppError('VALIDATION_FAILED', `unknown pixel format "${String(pixelFormat)}"`);
  const subtypes = subtypesOf(options.hemorrhage);

  const model = createHeadModel(createRandom(deriveSeed(seed, 'anatomy')));
  const noiseSd = options.noiseSd === undefined ? model.noiseSd : numberIn('noiseSd', options.noiseSd, 0, 30);
  const spacing = FIELD_OF_VIEW_MM / size;
  const grid = createPolarGrid(size, spacing, model.centreX, model.centreY);

  // Scanner frame: the image is centred on x = 0 and on the table's y; z climbs by `thickness`.
  const place = createRandom(deriveSeed(seed, 'position'));
  const tableY = Math.round(place.uniform(-30, 10) * 10) / 10;
  const tableZ = Math.round(place.uniform(-220, -60) * 10) / 10;
  const zOffset = place.uniform(-3, 3); // the slab's middle sits near the ventricles' bodies
  const levels = Array.from({ length: count }, (_, k) => (k - (count - 1) / 2) * thickness + zOffset);
  const bleeds = subtypes.map((s) => planBleed(s, model, levels, createRandom(deriveSeed(seed, 'bleed', s))));
  const minBleedPixels = Math.max(4, Math.ceil(MIN_BLEED_AREA_MM2 / (spacing * spacing)));

  const patient = createRandom(deriveSeed(seed, 'patient'));
  const patientId = `PHANTOM-${seed}`;
  const patientName = `PHANTOM^${seed}`;
  const moment = studyMoment(seed);
  const studyInstanceUid = phantomUid(seed, 'study');
  const seriesInstanceUid = phantomUid(seed, 'series');
  const common = {
    studyInstanceUid,
    seriesInstanceUid,
    frameOfReferenceUid: phantomUid(seed, 'frame-of-reference'),
    patientId,
    patientName,
    patientSex: patient.pick(['M', 'F', 'O'] as const),
    patientAge: `${String(patient.int(18, 95)).padStart(3, '0')}Y`,
    accessionNumber: `PH${String(seed).padStart(10, '0')}`,
    studyDate: moment.date,
    studyTime: moment.time,
    seriesNumber: 2,
    pixelSpacing: [spacing, spacing] as [number, number],
    sliceThickness: thickness,
    rows: size,
    columns: size,
    bitsStored: storage.bitsStored,
    rescaleIntercept: storage.intercept,
  };
  const half = ((size - 1) / 2) * spacing;

  const noiseTable = createNoiseTable(createRandom(deriveSeed(seed, 'noise')));
  const n = size * size;
  const hu = new Float32Array(n);
  const bleedMask = new Uint8Array(n);
  const studyTruth = noLabels();
  const slices: PhantomSlice[] = [];
  for (let k = 0; k < count; k++) {
    const geom = createSliceGeometry(model, levels[k]!);
    const tissue = new Uint8Array(n);
    renderAnatomy(model, grid, geom, tissue, hu);

    const truth = noLabels();
    const bloodPixels = Object.fromEntries(SUBTYPES.map((s) => [s, 0])) as Record<Subtype, number>;
    const blood = new Uint8Array(n);
    for (const bleed of bleeds) {
      bleedMask.fill(0);
      const pixels = bleed.paint(grid, geom, tissue, bleedMask);
      if (pixels < minBleedPixels) continue;
      const code = SUBTYPES.indexOf(bleed.subtype) + 1;
      for (let p = 0; p < n; p++) {
        const m = bleedMask[p]!;
        if (m === BLOOD) {
          hu[p] = bleed.hu;
          blood[p] = code;
        } else if (m === EDEMA && blood[p] === 0) {
          hu[p] = EDEMA_HU;
        }
      }
      bloodPixels[bleed.subtype] = pixels;
      truth[bleed.subtype] = 1;
      truth.any = 1;
      studyTruth[bleed.subtype] = 1;
      studyTruth.any = 1;
    }

    const pixels = storePixels(hu, size, pixelFormat, noiseSd, noiseTable, createRandom(deriveSeed(seed, 'noise', k)));
    const sopInstanceUid = phantomUid(seed, 'instance', k);
    const z = Math.round((tableZ + k * thickness) * 1e4) / 1e4;
    const bytes = writeCtSlice({ ...common, sopInstanceUid, instanceNumber: k + 1, imagesInAcquisition: count, imagePositionPatient: [-half, tableY - half, z], pixels });
    slices.push({ sopInstanceUid, instanceNumber: k + 1, z, bytes, truth, bloodPixels, ...(options.withMasks ? { masks: { tissue, blood } } : {}) });
  }
  return {
    seed,
    patientId,
    patientName,
    studyInstanceUid,
    seriesInstanceUid,
    slices,
    truth: studyTruth,
    rows: size,
    columns: size,
    pixelSpacing: [spacing, spacing],
    sliceThickness: thickness,
    pixelFormat,
  };
}
