import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InferenceEngine } from '@/server/inference';
import { loadSiteOperatingPoints, siteOperatingPointsSchema } from '@/server/inference/site-operating-points';
import { writePhantomStudies } from '@/server/phantoms/write-phantom-studies';
import { TEST_MODEL_MANIFEST } from '@/test/support/pipeline-stack';
import { calibrateSite } from './calibrate-site';
import { readDicomDataset } from './dicom-dataset';
import { parseRsnaLabels } from './rsna-labels';
import { predictDataset } from './run-evaluation';

const silent = pino({ level: 'silent' });

describe('site calibration on phantoms with the tiny test model', () => {
  let dir: string;
  let engine: InferenceEngine;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'calibrate-'));
    await writePhantomStudies({ outDir: join(dir, 'dicom'), studies: 8, seed: 500, subtype: 'mix', kind: 'cartoon', slices: 4, size: 64 });
    engine = await InferenceEngine.create({ manifestPath: TEST_MODEL_MANIFEST, providers: ['cpu'], maxBatch: 16, maxWaitMs: 2, intraOpThreads: 1, log: silent });
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('measures the site studies, chooses the study point for the target, and the server loads it for this model only', async () => {
    const labels = join(dir, 'dicom', 'truth.csv');
    const dataset = await readDicomDataset(join(dir, 'dicom'), parseRsnaLabels(await readFile(labels, 'utf8')));
    const predictions = await predictDataset(dataset, engine);
    const now = new Date('2026-12-02T00:00:00Z');
    const { site, skipped, unlabelledStudies } = calibrateSite(predictions, engine.manifest, { targetSensitivity: 0.95, source: { dicom: join(dir, 'dicom'), labels }, now });

    expect(siteOperatingPointsSchema.safeParse(site).success).toBe(true);
    expect(site).toMatchObject({ model: { name: 'tiny-test', version: '0.1.0', sha256: engine.manifest.sha256 }, createdAt: now.toISOString(), studies: 8, aggregation: 'max', targetSensitivity: 0.95 });
    expect(site.source).toEqual({ dicom: 'dicom', labels: 'truth.csv' });
    expect(unlabelledStudies).toBe(0);
    const any = site.points.any;
    expect(any.positives + any.negatives).toBe(8);
    expect(any.sensitivity).toBeGreaterThanOrEqual(0.95);
    expect(any.measuredOn).toBe('8 labelled studies of this site');
    // 8 studies: no subtype has the 10 positives a point needs.
    expect(skipped.map((s) => s.label)).toEqual(['epidural', 'intraparenchymal', 'intraventricular', 'subarachnoid', 'subdural']);

    const file = join(dir, 'site-operating-points.json');
    await writeFile(file, JSON.stringify(site));
    const log = { info: vi.fn(), warn: vi.fn() };
    expect(await loadSiteOperatingPoints(file, engine.manifest, log)).toEqual(site);
    expect(log.warn).not.toHaveBeenCalled();
    // Another model: refused with one clear line, the manifest's points stay in force.
    const other = { ...engine.manifest, version: '0.2.0' };
    expect(await loadSiteOperatingPoints(file, other, log)).toBeUndefined();
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0]![1]).toMatch(/refused: they were measured for tiny-test@0\.1\.0, not the running model tiny-test@0\.2\.0/);
    // Absent file: nothing said, nothing loaded; a broken file: one line.
    expect(await loadSiteOperatingPoints(join(dir, 'absent.json'), engine.manifest, log)).toBeUndefined();
    expect(log.warn).toHaveBeenCalledTimes(1);
    await writeFile(file, '{"kind":"ich-triage.site-operating-points"}');
    expect(await loadSiteOperatingPoints(file, engine.manifest, log)).toBeUndefined();
    expect(log.warn.mock.calls[1]![1]).toMatch(/does not fit the format/);
  }, 120_000);

  it('refuses labels that name none of the files', () => {
    const p = { id: 'x', study: 's', probabilities: [0.1, 0, 0, 0, 0, 0], truth: [null, null, null, null, null, null] };
    expect(() => calibrateSite([p], engine.manifest, { targetSensitivity: 0.95, source: { dicom: 'd', labels: 'l' } })).toThrow(/no study has a known "any" label/);
  });
});
