import { AppError } from '@/lib/errors';
import { LABELS, SUBTYPES, type LabelRecord } from '@/lib/labels';
import { analyseHeadSlice, synthesizeBleeds, type HeadSliceAnatomy } from '@/server/synthesis';
import { studyMoment } from './generate-phantom-study';
import { loadDemoAnatomy, type DemoAnatomy } from './load-demo-anatomy';
import { phantomUid } from './phantom-uid';
import { createRandom, deriveSeed } from './random';
import { createNoiseTable, storePixels, STORAGE } from './store-pixels';
import { transformSlice } from './transform-slice';
import type { PhantomSlice, PhantomStudy, Subtype } from './types';
import { writeCtSlice } from './write-ct-slice';

export interface DemoStudyOptions {
  /** Everything (transform, noise, bleed, UIDs, names) follows from it; an integer in [0, 2^32). */
  seed: number;
  /** One subtype, several, or none for a normal study (default). */
  hemorrhage?: Subtype | readonly Subtype[] | null;
  /** A run of this many consecutive slices of the scan (default: all 28). */
  slices?: number;
  /** Rows = columns, 64..1024 (default 512, the scan's own); the field of view stays. */
  size?: number;
  /** Also return each slice's blood mask (truth of the synthesis, tests). */
  withMasks?: boolean;
}

/** Synthetic words for masked names: a demo patient must never look like a real one. */
const NAME_WORDS = ['ALDER', 'BIRCH', 'CEDAR', 'DUNE', 'EMBER', 'FJORD', 'GLADE', 'HARBOR', 'ISLE', 'JUNIPER', 'KESTREL', 'LUPIN', 'MEADOW', 'NORTH', 'ORCHID', 'PINE', 'QUARRY', 'RIDGE', 'SORREL', 'TUNDRA', 'UPLAND', 'VALE', 'WILLOW', 'YARROW'] as const;

let analysed: { anatomy: DemoAnatomy; anatomies: HeadSliceAnatomy[]; positionsMm: number[] } | undefined;

/** The shipped scan, its per-slice analysis and slice positions: computed once per process (seconds), shared by every study. */
function demoScan(): NonNullable<typeof analysed> {
  if (analysed) return analysed;
  const anatomy = loadDemoAnatomy();
  const [r0, r1, r2, c0, c1, c2] = anatomy.imageOrientationPatient;
  const normal = [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0];
  const positionsMm = anatomy.slices.map((s) => s.imagePositionPatient.reduce((sum, v, i) => sum + v * normal[i]!, 0));
  const anatomies = anatomy.slices.map((s) => analyseHeadSlice({ hu: s.hu, rows: anatomy.rows, columns: anatomy.columns, pixelSpacing: anatomy.pixelSpacing }));
  analysed = { anatomy, anatomies, positionsMm };
  return analysed;
}

function subtypesOf(h: DemoStudyOptions['hemorrhage']): Subtype[] {
  const list = h == null ? [] : typeof h === 'string' ? [h] : [...h];
  for (const s of list) if (!SUBTYPES.includes(s)) throw new AppError('VALIDATION_FAILED', `unknown hemorrhage subtype "${String(s)}"; expected one of ${SUBTYPES.join(', ')}`);
  return SUBTYPES.filter((s) => list.includes(s));
}

const noLabels = (): LabelRecord<0 | 1> => Object.fromEntries(LABELS.map((l) => [l, 0])) as LabelRecord<0 | 1>;

/**
 * One demo study on real anatomy: the shipped normal head CT (GE HiSpeed, dcm_qa_ct) with
 * synthetic bleeds of `hemorrhage` inserted (server/synthesis), or none, then moved as a rescan
 * would be (in-plane shift ±6 mm, rotation ±4°, a table offset), with a slight HU offset and added
 * noise, new UIDs and a clearly synthetic masked patient. Labels come from the synthesis mask: a
 * slice is positive for a subtype when its mask is non-empty. Same options → byte-identical files.
 */
export function generateDemoStudy(options: DemoStudyOptions): PhantomStudy {
  const seed = options.seed;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new AppError('VALIDATION_FAILED', `demo seed must be an integer in [0, 2^32), got ${seed}`);
  const scan = demoScan();
  const { anatomy } = scan;
  const total = anatomy.slices.length;
  const count = options.slices ?? total;
  if (!Number.isInteger(count) || count < 2 || count > total) throw new AppError('VALIDATION_FAILED', `demo slices must be an integer in [2, ${total}], got ${count}`);
  const size = options.size ?? anatomy.columns;
  if (!Number.isInteger(size) || size < 64 || size > 1024) throw new AppError('VALIDATION_FAILED', `demo size must be an integer in [64, 1024], got ${size}`);
  const subtypes = subtypesOf(options.hemorrhage);

  const vary = createRandom(deriveSeed(seed, 'demo-variation'));
  const first = count === total ? 0 : vary.int(0, total - count);
  const window = Array.from({ length: count }, (_, i) => first + i);
  const sourceMm = anatomy.pixelSpacing[1];
  const transform = { rotation: (vary.uniform(-4, 4) * Math.PI) / 180, shiftX: vary.uniform(-6, 6) / sourceMm, shiftY: vary.uniform(-6, 6) / sourceMm, size };
  const huOffset = vary.uniform(-3, 3);
  const noiseSd = vary.uniform(0, 3);
  const tableZ = Math.round(vary.uniform(-40, 40) * 10) / 10;

  const synth = synthesizeBleeds({
    slices: window.map((k) => ({ hu: anatomy.slices[k]!.hu, rows: anatomy.rows, columns: anatomy.columns, pixelSpacing: anatomy.pixelSpacing })),
    positionsMm: window.map((k) => scan.positionsMm[k]!),
    anatomies: window.map((k) => scan.anatomies[k]!),
    subtypes,
    seed,
  });

  const patient = createRandom(deriveSeed(seed, 'demo-patient'));
  const patientId = `DEMO-${seed.toString(16).toUpperCase().padStart(8, '0')}`;
  const patientName = `DEMO^${patient.pick(NAME_WORDS)}-${String(patient.int(0, 9999)).padStart(4, '0')}`;
  const moment = studyMoment(seed);
  const studyInstanceUid = phantomUid(seed, 'demo', 'study');
  const seriesInstanceUid = phantomUid(seed, 'demo', 'series');
  const spacing = (anatomy.pixelSpacing[1] * anatomy.columns) / size;
  const scale = anatomy.columns / size;
  // The first output pixel's centre sits (scale - 1) / 2 source pixels into the source grid.
  const [r0, r1, r2, c0, c1, c2] = anatomy.imageOrientationPatient;
  const inset = ((scale - 1) / 2) * sourceMm;
  const common = {
    studyInstanceUid,
    seriesInstanceUid,
    frameOfReferenceUid: phantomUid(seed, 'demo', 'frame-of-reference'),
    patientId,
    patientName,
    patientSex: patient.pick(['M', 'F', 'O'] as const),
    patientAge: `${String(patient.int(18, 95)).padStart(3, '0')}Y`,
    accessionNumber: `DM${String(seed).padStart(10, '0')}`,
    studyDate: moment.date,
    studyTime: moment.time,
    seriesNumber: 2,
    pixelSpacing: [spacing, spacing] as [number, number],
    rows: size,
    columns: size,
    bitsStored: STORAGE.int16.bitsStored,
    rescaleIntercept: STORAGE.int16.intercept,
    imageOrientationPatient: anatomy.imageOrientationPatient,
    gantryDetectorTilt: anatomy.gantryDetectorTilt,
    imageType: ['DERIVED', 'SECONDARY', 'AXIAL'],
    manufacturer: 'ICH-TRIAGE DEMO',
    manufacturerModelName: 'REAL ANATOMY (GE HISPEED DUAL, DCM_QA_CT) + SIMULATION',
    seriesDescription: 'AXIAL HEAD (DEMO: REAL SCAN, SIMULATED FINDINGS)',
  };

  const noiseTable = createNoiseTable(createRandom(deriveSeed(seed, 'demo-noise')));
  const studyTruth = noLabels();
  const slices: PhantomSlice[] = window.map((k, i) => {
    const painted = synth.slices[i]!;
    const moved = transformSlice(painted.hu, painted.blood, anatomy.columns, transform);
    for (let p = 0; p < moved.hu.length; p++) if (moved.hu[p]! > -1000) moved.hu[p] = moved.hu[p]! + huOffset;
    const truth = noLabels();
    const bloodPixels = Object.fromEntries(SUBTYPES.map((s) => [s, 0])) as Record<Subtype, number>;
    for (const code of moved.labels) if (code > 0) bloodPixels[SUBTYPES[code - 1]!]++;
    for (const s of SUBTYPES) {
      if (bloodPixels[s] === 0) continue;
      truth[s] = 1;
      truth.any = 1;
      studyTruth[s] = 1;
      studyTruth.any = 1;
    }
    const pixels = storePixels(moved.hu, size, 'int16', noiseSd, noiseTable, createRandom(deriveSeed(seed, 'demo-noise', i)));
    const source = anatomy.slices[k]!;
    const [x, y, z] = source.imagePositionPatient;
    const position: [number, number, number] = [x + inset * (r0 + c0), y + inset * (r1 + c1), Math.round((z + inset * (r2 + c2) + tableZ) * 1e4) / 1e4];
    const sopInstanceUid = phantomUid(seed, 'demo', 'instance', i);
    const bytes = writeCtSlice({ ...common, sliceThickness: source.sliceThickness, sopInstanceUid, instanceNumber: i + 1, imagesInAcquisition: count, imagePositionPatient: position, pixels });
    return { sopInstanceUid, instanceNumber: i + 1, z: position[2], bytes, truth, bloodPixels, ...(options.withMasks ? { masks: { tissue: new Uint8Array(0), blood: moved.labels } } : {}) };
  });
  const thicknesses = window.map((k) => anatomy.slices[k]!.sliceThickness).sort((a, b) => a - b);
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
    sliceThickness: thicknesses[Math.floor(thicknesses.length / 2)]!,
    pixelFormat: 'int16',
  };
}
