import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferenceEngine } from '@/server/inference';
import { generatePhantomStudy } from '@/server/phantoms';
import { SliceViewer } from '@/server/viewer';
import { createPipelineStack, TEST_MODEL_MANIFEST, type PipelineStack } from '@/test/support/pipeline-stack';

/** The same file with other UIDs, rewritten by dcmjs (as the RSNA 2019 challenge files carry them). */
function withUids(bytes: Uint8Array, uids: { study: string; series: string; sop: string }): Uint8Array {
  const file = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer);
  file.dict['0020000D']!.Value = [uids.study];
  file.dict['0020000E']!.Value = [uids.series];
  file.dict['00080018']!.Value = [uids.sop];
  file.meta['00020003']!.Value = [uids.sop];
  return new Uint8Array(file.write({ allowInvalidVRLength: true }));
}

describe('RSNA 2019 style UIDs through the real ingest and pipeline (SQLite)', () => {
  let dataDir: string;
  let engine: InferenceEngine;
  let stack: PipelineStack;
  const phantom = generatePhantomStudy({ seed: 77, slices: 4, size: 64, hemorrhage: 'subdural' });
  const study = 'ID_0a1b2c3d4e';
  const series = 'ID_5f6a7b8c9d';
  const sops = phantom.slices.map((_, i) => `ID_${(0x12eaf00 + i).toString(16)}`);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'rsna-uids-'));
    engine = await InferenceEngine.create({ manifestPath: TEST_MODEL_MANIFEST, providers: ['cpu'], maxBatch: 16, maxWaitMs: 2, intraOpThreads: 1, log: pino({ level: 'silent' }) });
    stack = await createPipelineStack({ dataDir, engine, quietPeriodMs: 500 });
  }, 60_000);
  afterAll(async () => {
    await stack?.pipeline.stop();
    await engine?.close();
    await stack?.db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores, records with a warning, and triages them; the viewer serves their slices', async () => {
    stack.pipeline.start();
    for (const [i, s] of phantom.slices.entries()) {
      const outcome = await stack.ingest.ingest(withUids(s.bytes, { study, series, sop: sops[i]! }), { channel: 'test', sender: 'unit' });
      expect(outcome).toMatchObject({ status: 'stored', studyInstanceUid: study, sopInstanceUid: sops[i] });
    }
    const end = Date.now() + 30_000;
    while (!(await stack.db.prisma.study.findFirst({ where: { StudyInstanceUID: study, status: 'triaged' } }))) {
      if (Date.now() > end) throw new Error('study was not triaged in time');
      await new Promise((r) => setTimeout(r, 50));
    }
    const instances = await stack.db.prisma.instance.findMany({ where: { study: { StudyInstanceUID: study } }, select: { SOPInstanceUID: true, warnings: true, decodeStatus: true, storedPath: true } });
    expect(instances).toHaveLength(4);
    for (const row of instances) {
      expect(row.decodeStatus).toBe('decoded');
      expect(row.storedPath).toBe(join(study, series, `${row.SOPInstanceUID}.dcm`));
      const codes = (row.warnings as { code: string; message: string }[]).filter((w) => w.code === 'UID_NOT_CONFORMANT');
      expect(codes.map((w) => w.message.split(' ')[0]).sort()).toEqual(['SOPInstanceUID', 'SeriesInstanceUID', 'StudyInstanceUID']);
    }
    const slice = await new SliceViewer(stack.db.prisma, stack.files).slice(study, sops[0]!);
    expect([slice.rows, slice.columns]).toEqual([64, 64]);
  }, 60_000);

  it('a conformant file records no warning', async () => {
    const s = phantom.slices[0]!;
    const conformant = withUids(s.bytes, { study: '1.2.826.0.1.3680043.8.498.77', series: '1.2.826.0.1.3680043.8.498.77.1', sop: '1.2.826.0.1.3680043.8.498.77.1.1' });
    expect((await stack.ingest.ingest(conformant, { channel: 'test', sender: 'unit' })).status).toBe('stored');
    const row = await stack.db.prisma.instance.findUniqueOrThrow({ where: { SOPInstanceUID: '1.2.826.0.1.3680043.8.498.77.1.1' } });
    expect((row.warnings as unknown[]).filter((w) => (w as { code: string }).code === 'UID_NOT_CONFORMANT')).toEqual([]);
  });

  it.each([
    ['a parent-folder study UID', { study: '..', series: series, sop: 'ID_x1' }],
    ['a traversal series UID', { study, series: '../../../tmp/evil', sop: 'ID_x2' }],
    ['a percent-encoded SOP UID', { study, series, sop: '%2e%2e%2fx' }],
    ['a 65-character SOP UID', { study, series, sop: `ID_${'a'.repeat(62)}` }],
  ])('quarantines %s with DICOM_INVALID_UID, writing nothing outside the store', async (_name, uids) => {
    const outcome = await stack.ingest.ingest(withUids(phantom.slices[1]!.bytes, uids), { channel: 'test', sender: 'unit' });
    expect(outcome).toMatchObject({ status: 'quarantined', error: { code: 'DICOM_INVALID_UID' } });
    expect(existsSync(join(dataDir, 'tmp'))).toBe(false);
    expect(await stack.db.prisma.instance.count({ where: { SOPInstanceUID: uids.sop } })).toBe(0);
  });
});
