import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '@/lib/labels';
import { decodeCtSlice } from '@/server/dicom';
import { buildDicom, ctElements, int16Bytes, type Element } from '@/server/dicom/__fixtures__/build-dicom';
import { buildTensor } from '@/server/dicom/tensor';
import { InferenceEngine } from '@/server/inference';
import { readDicomDataset } from './dicom-dataset';
import { parseRsnaLabels } from './rsna-labels';
import { predictDataset, scorePredictions, toSubmissionCsv, type SlicePrediction } from './run-evaluation';

const TINY_MODEL = 'models/test-model/tiny-test-0.1.0.json';
const SIZE = 32;

/** A 32x32 CT slice whose pixels depend on `seed`, with its own UIDs and z position. */
function slice(study: string, sop: string, z: number, seed: number): Uint8Array {
  const values = Array.from({ length: SIZE * SIZE }, (_, i) => 1024 + ((i * seed) % 120) - 40);
  const overrides: Element[] = [
    [0x00080018, 'UI', sop],
    [0x0020000d, 'UI', study],
    [0x00200032, 'DS', `0\\0\\${z}`],
    [0x00200037, 'DS', '1\\0\\0\\0\\1\\0'],
  ];
  const base = ctElements({ rows: SIZE, columns: SIZE, pixels: int16Bytes(values) }).filter(([t]) => !overrides.some(([o]) => o === t));
  return buildDicom([...base, ...overrides]);
}

describe('evaluation over a DICOM folder with RSNA labels', () => {
  let dir: string;
  let engine: InferenceEngine;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eval-'));
    // Files are written in an order unlike their z order: the evaluation must order by position.
    writeFileSync(join(dir, 'a3.dcm'), slice('2.25.100', '2.25.103', 10, 3));
    writeFileSync(join(dir, 'a1.dcm'), slice('2.25.100', '2.25.101', 0, 1));
    writeFileSync(join(dir, 'a2.dcm'), slice('2.25.100', '2.25.102', 5, 2));
    writeFileSync(join(dir, 'b1.dcm'), slice('2.25.200', '2.25.201', 0, 5));
    writeFileSync(join(dir, 'b2.dcm'), slice('2.25.200', '2.25.202', 5, 7));
    writeFileSync(join(dir, 'notes.txt'), 'not a DICOM file');
    engine = await InferenceEngine.create({
      manifestPath: TINY_MODEL,
      providers: ['cpu'],
      maxBatch: 8,
      maxWaitMs: 2,
      intraOpThreads: 1,
      log: pino({ level: 'silent' }),
    });
  });

  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('groups studies, orders slices by position, reports unreadable files and predicts what the engine predicts', async () => {
    const labels = parseRsnaLabels('ID,Label\n2.25.101_any,0\n2.25.102_any,1\n2.25.102_subdural,1\n2.25.201_any,0\n');
    const dataset = await readDicomDataset(dir, labels);
    expect(dataset.failures).toHaveLength(1);
    expect(dataset.failures[0]).toMatchObject({ code: 'DICOM_NOT_DICOM' });

    const predictions = await predictDataset(dataset, engine);
    expect(predictions.map((p) => p.id)).toEqual(['2.25.101', '2.25.102', '2.25.103', '2.25.201', '2.25.202']);
    expect(predictions[1]!.truth).toEqual([1, null, null, null, null, 1]);
    expect(predictions[2]!.truth).toEqual([null, null, null, null, null, null]);
    // Five slices of two studies went through in at most two model runs per study.
    expect(engine.stats.slices).toBe(5);
    expect(engine.stats.runs).toBeLessThanOrEqual(4);

    // The same file run alone through decode → tensor → engine gives the same probabilities.
    const { hu } = await decodeCtSlice(slice('2.25.100', '2.25.102', 5, 2));
    const direct = await engine.infer(buildTensor(hu, engine.manifest.preprocess));
    LABELS.forEach((l, j) => expect(predictions[1]!.probabilities[j]).toBeCloseTo(direct.probabilities[l], 6));
  });
});

describe('scorePredictions', () => {
  const p = (id: string, study: string, any: number, truthAny: 0 | 1 | null): SlicePrediction => ({
    id,
    study,
    probabilities: [any, 0.1, 0.1, 0.1, 0.1, 0.1],
    truth: [truthAny, 0, 0, 0, 0, 0],
  });
  const predictions = [p('s1', 'A', 0.9, 1), p('s2', 'A', 0, 0), p('s3', 'B', 0.49, 0), p('s4', 'B', 0.45, 0), p('s5', 'C', 0.7, 1)];
  const manifest = {
    name: 'unit',
    version: '1.0.0',
    operatingPoints: Object.fromEntries(LABELS.map((l) => [l, { threshold: 0.5 }])),
  } as never;

  it('computes slice and study figures and thresholds from the manifest', () => {
    const r = scorePredictions(predictions, manifest, { aggregation: 'max', failures: 0, provider: 'cpu' });
    expect(r.slices).toBe(5);
    expect(r.studies).toBe(3);
    expect(r.auc.any).toBe(1);
    expect(r.auc.epidural).toBeNull(); // no positives
    expect(r.studyAuc.any).toBe(1); // A max 0.9 (bleed), C 0.7 (bleed), B 0.49 (none)
    expect(r.sensitivity.any).toBe(1);
    expect(r.specificity.any).toBe(1);
    expect(r.model).toBe('unit@1.0.0');
    expect(r.studyAucAnyByAggregation['top3-mean']).toBe(0.5); // A (0.9+0)/2=0.45 < B 0.47 < C 0.7
  });

  it('reports the study-level decision at the manifest study point, beside the slice-level figures', () => {
    const studyOperatingPoints = { any: { threshold: 0.8, targetSensitivity: 0.95, sensitivity: 1, specificity: 1, positives: 2, negatives: 1, sensitivityCi: [1, 1], specificityCi: [1, 1], flaggedNormalFraction: 0, measuredOn: 'x' } };
    const r = scorePredictions(predictions, { ...(manifest as object), studyOperatingPoints } as never, { aggregation: 'max', failures: 0, provider: 'cpu' });
    // Study maxima: A 0.9 (bleed) flagged, C 0.7 (bleed) missed at 0.8, B 0.49 (none) not flagged.
    expect(r.studyThresholds).toEqual({ any: 0.8 });
    expect(r.studySensitivity).toEqual({ any: 0.5 });
    expect(r.studySpecificity).toEqual({ any: 1 });
    // Without study points the slice-level "any" point stands in (and says so in the threshold).
    expect(scorePredictions(predictions, manifest, { aggregation: 'max', failures: 0, provider: 'cpu' }).studySensitivity).toEqual({ any: 1 });
  });

  it('writes a Kaggle submission with one row per slice and label', () => {
    const csv = toSubmissionCsv(predictions.slice(0, 1)).trim().split('\n');
    expect(csv).toEqual([
      'ID,Label',
      'ID_s1_any,0.900000',
      'ID_s1_epidural,0.100000',
      'ID_s1_intraparenchymal,0.100000',
      'ID_s1_intraventricular,0.100000',
      'ID_s1_subarachnoid,0.100000',
      'ID_s1_subdural,0.100000',
    ]);
  });
});
