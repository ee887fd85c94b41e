import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '@/server/db';
import { InferenceEngine } from '@/server/inference';
import { generatePhantomStudy } from '@/server/phantoms';
import { parseDicom } from '@/server/dicom';
import { recordInstance } from '@/server/ingest/record-instance';
import { readStudyDetail } from '@/server/triage/study-query';
import { createPipelineStack, TEST_MODEL_MANIFEST } from '../support/pipeline-stack';
import { allTestDatabases, type TestDatabase } from '../support/test-databases';

const log = pino({ level: 'silent' });

/** The whole stack on one test database (SQLite in `dataDir` or the PostgreSQL of `target`). */
function createStack(dataDir: string, engine: InferenceEngine, target: TestDatabase, quietPeriodMs = 1500) {
  return createPipelineStack({ dataDir: target.databaseUrl ? dataDir : target.dataDir, databaseUrl: target.databaseUrl, engine, quietPeriodMs });
}

async function until<T>(what: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(allTestDatabases())('ingest → analysis → triage on $provider', (dbs) => {
  let dataDir: string;
  let engine: InferenceEngine;
  let db: Database | undefined;
  let target: TestDatabase;

  beforeAll(async () => {
    if (!dbs.unavailable) await dbs.start();
  }, 60_000);
  afterAll(() => dbs.stop());

  beforeEach(async (ctx) => {
    if (dbs.unavailable) return ctx.skip();
    target = await dbs.fresh();
    db = undefined;
    dataDir = mkdtempSync(join(tmpdir(), 'pipeline-'));
    engine = await InferenceEngine.create({ manifestPath: TEST_MODEL_MANIFEST, providers: ['cpu'], maxBatch: 16, maxWaitMs: 2, intraOpThreads: 1, log });
  });

  afterEach(async () => {
    if (dbs.unavailable) return;
    await engine.close();
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('scores every slice, triages the study after the quiet period, and records why', async () => {
    const stack = await createStack(dataDir, engine, target);
    db = stack.db;
    stack.pipeline.start();
    const phantom = generatePhantomStudy({ seed: 7, slices: 6, size: 64, hemorrhage: 'subdural' });
    // Sent out of order, as PACS sometimes do.
    for (const i of [3, 0, 5, 1, 4, 2]) {
      expect((await stack.ingest.ingest(phantom.slices[i]!.bytes, { channel: 'test', sender: 'unit' })).status).toBe('stored');
    }
    const study = await until(() => db!.prisma.study.findFirst({ where: { StudyInstanceUID: phantom.studyInstanceUid, status: 'triaged' } }));
    await stack.pipeline.stop();

    expect(study.outcome === 'flagged' || study.outcome === 'not_flagged').toBe(true);
    expect(study.flagged).toBe(study.outcome === 'flagged');
    expect(study.anyProbability).toBeGreaterThan(0);
    expect(study.modelName).toBe('tiny-test');
    expect(study.seriesChoiceReason).toMatch(/^6 axial slices/);
    const predictions = await db.prisma.slicePrediction.count({ where: { studyId: study.id } });
    expect(predictions).toBe(6);
    const history = await db.prisma.statusChange.findMany({ where: { studyId: study.id }, orderBy: { at: 'asc' } });
    expect(history.map((h) => h.to)).toEqual(['receiving', 'triaged']);
    expect(stack.changes.some((c) => c.change === 'progress')).toBe(true);
    expect(stack.changes.at(-1)).toEqual({ studyId: study.id, change: 'triaged' });

    // What GET /api/studies/<uid> returns: every slice in position order with its result.
    const detail = (await readStudyDetail(db.prisma, phantom.studyInstanceUid))!;
    expect(detail.study).toMatchObject({ studyInstanceUid: phantom.studyInstanceUid, status: 'triaged', rank: 1, slices: { received: 6, analysed: 6, failed: 0 } });
    expect(detail.slices.map((s) => s.sopInstanceUid)).toEqual(phantom.slices.map((s) => s.sopInstanceUid));
    expect(detail.slices.every((s) => s.probabilities !== null && s.hasLocalization && s.decodeStatus === 'decoded')).toBe(true);
    expect(detail.series).toEqual([expect.objectContaining({ chosen: true, instances: 6, rejectedReason: null })]);
    expect(detail.history.map((h) => h.to)).toEqual(['receiving', 'triaged']);
    expect(await readStudyDetail(db.prisma, '1.2.3')).toBeUndefined();
  });

  it('says which slice created its study (the dashboards hear "received" then), and which merely joined it', async () => {
    const stack = await createStack(dataDir, engine, target);
    db = stack.db;
    const phantom = generatePhantomStudy({ seed: 31, slices: 2, size: 32 });
    const record = async (bytes: Uint8Array) => {
      const header = parseDicom(bytes, { headerOnly: true }).header;
      return recordInstance(db!.prisma, { header, stored: await stack.files.store(bytes, header), source: { channel: 'test', sender: 'unit' } });
    };
    expect(await record(phantom.slices[0]!.bytes)).toMatchObject({ newStudy: true, queued: true });
    expect(await record(phantom.slices[1]!.bytes)).toMatchObject({ newStudy: false, queued: true });
    expect(await record(phantom.slices[1]!.bytes)).toMatchObject({ newStudy: false, queued: false });
  });

  it('re-opens a triaged study when a late slice arrives, and ignores an identical re-send', async () => {
    const stack = await createStack(dataDir, engine, target);
    db = stack.db;
    stack.pipeline.start();
    const phantom = generatePhantomStudy({ seed: 11, slices: 4, size: 64 });
    for (const s of phantom.slices.slice(0, 3)) await stack.ingest.ingest(s.bytes, { channel: 'test', sender: 'unit' });
    await until(() => db!.prisma.study.findFirst({ where: { status: 'triaged' } }));

    expect((await stack.ingest.ingest(phantom.slices[0]!.bytes, { channel: 'test', sender: 'unit' })).status).toBe('duplicate');
    expect((await db.prisma.study.findFirstOrThrow()).status).toBe('triaged');

    await stack.ingest.ingest(phantom.slices[3]!.bytes, { channel: 'test', sender: 'unit' });
    expect((await db.prisma.study.findFirstOrThrow()).status).toBe('receiving');
    const study = await until(async () => {
      const s = await db!.prisma.study.findFirst({ where: { status: 'triaged' } });
      return s && (await db!.prisma.slicePrediction.count()) === 4 ? s : undefined;
    });
    const history = await db.prisma.statusChange.findMany({ where: { studyId: study.id }, orderBy: { at: 'asc' } });
    expect(history.map((h) => h.to)).toEqual(['receiving', 'triaged', 'receiving', 'triaged']);
    await stack.pipeline.stop();
  });

  it('completes a study as soon as the slice count the scanner announced is analysed, without waiting out the quiet period', async () => {
    const stack = await createStack(dataDir, engine, target, 120_000);
    db = stack.db;
    stack.pipeline.start();
    const phantom = generatePhantomStudy({ seed: 13, slices: 5, size: 64 }); // ImagesInAcquisition = 5
    const t0 = Date.now();
    for (const s of phantom.slices) await stack.ingest.ingest(s.bytes, { channel: 'test', sender: 'unit' });
    const study = await until(() => db!.prisma.study.findFirst({ where: { status: 'triaged' } }), 30_000);
    await stack.pipeline.stop();
    expect(study.expectedSliceCount).toBe(5);
    expect(Date.now() - t0).toBeLessThan(30_000); // the quiet period here is 120 s
    expect(await db.prisma.slicePrediction.count({ where: { studyId: study.id } })).toBe(5);
  });

  it('resumes queued work after a restart: nothing acknowledged is left unanalysed', async () => {
    const first = await createStack(dataDir, engine, target);
    // Slices acknowledged while no pipeline runs (as if the process died right after the ack).
    const phantom = generatePhantomStudy({ seed: 5, slices: 5, size: 64, hemorrhage: 'epidural' });
    for (const s of phantom.slices) await first.ingest.ingest(s.bytes, { channel: 'test', sender: 'unit' });
    await first.db.close();

    const second = await createStack(dataDir, engine, target);
    db = second.db;
    const runsBefore = engine.stats.runs;
    second.pipeline.start();
    const study = await until(() => db!.prisma.study.findFirst({ where: { status: 'triaged' } }));
    await second.pipeline.stop();
    expect(await db.prisma.slicePrediction.count({ where: { studyId: study.id } })).toBe(5);
    // The five queued slices were claimed together and went through the model as one batch.
    expect(engine.stats.runs - runsBefore).toBe(1);
    expect(await db.prisma.job.count({ where: { status: { in: ['pending', 'leased'] } } })).toBe(0);
  });

  it('prunes done job rows in the periodic sweep, so the queue does not keep one row per slice forever', async () => {
    const stack = await createPipelineStack({ dataDir: target.databaseUrl ? dataDir : target.dataDir, databaseUrl: target.databaseUrl, engine, quietPeriodMs: 300, doneJobRetentionMs: 0 });
    db = stack.db;
    stack.pipeline.start();
    const phantom = generatePhantomStudy({ seed: 6, slices: 4, size: 64, hemorrhage: null });
    for (const s of phantom.slices) await stack.ingest.ingest(s.bytes, { channel: 'test', sender: 'unit' });
    await until(() => db!.prisma.study.findFirst({ where: { status: 'triaged' } }));
    await until(async () => (await db!.prisma.job.count()) === 0);
    await stack.pipeline.stop();
    expect(await db.prisma.slicePrediction.count()).toBe(4);
  });

  it('triages a study with no usable axial series as not analysable, with the reason', async () => {
    const stack = await createStack(dataDir, engine, target);
    db = stack.db;
    stack.pipeline.start();
    // A corrupt file passes the header check but cannot be decoded.
    const phantom = generatePhantomStudy({ seed: 3, slices: 2, size: 64 });
    for (const s of phantom.slices) {
      const bytes = s.bytes.slice(0, s.bytes.length - 1000); // pixel data cut short
      await stack.ingest.ingest(bytes, { channel: 'test', sender: 'unit' });
    }
    const study = await until(() => db!.prisma.study.findFirst({ where: { status: 'triaged' } }));
    await stack.pipeline.stop();
    expect(study.outcome).toBe('not_analysable');
    expect(study.notAnalysableReason).toMatch(/2 slice\(s\) could not be decoded \(DICOM_/);
    const instances = await db.prisma.instance.findMany();
    expect(instances.every((i) => i.decodeStatus === 'failed' && i.decodeErrorCode?.startsWith('DICOM_'))).toBe(true);
  });

  it('triages a study in which no slice shows brain (a water phantom) as not analysable, and measures brain on a head', async () => {
    const stack = await createStack(dataDir, engine, target);
    db = stack.db;
    stack.pipeline.start();
    const head = generatePhantomStudy({ seed: 5, slices: 4, size: 64 });
    // The same files with every pixel set to 20 HU: a uniform water cylinder, no skull, no brain.
    const water = generatePhantomStudy({ seed: 6, slices: 4, size: 64, pixelFormat: 'int16-hu' });
    for (const s of head.slices) await stack.ingest.ingest(s.bytes, { channel: 'test', sender: 'unit' });
    for (const s of water.slices) await stack.ingest.ingest(fillPixels(s.bytes, 20), { channel: 'test', sender: 'unit' });

    const triaged = await until(async () => {
      const rows = await db!.prisma.study.findMany({ where: { status: 'triaged' } });
      return rows.length === 2 && rows;
    });
    await stack.pipeline.stop();
    const waterStudy = triaged.find((s) => s.StudyInstanceUID === water.studyInstanceUid)!;
    expect(waterStudy.outcome).toBe('not_analysable');
    expect(waterStudy.notAnalysableReason).toBe(
      'no usable axial series: none of the 4 slices shows brain inside a skull: not a head CT, or the head is outside the field of view',
    );
    expect(triaged.find((s) => s.StudyInstanceUID === head.studyInstanceUid)!.outcome).not.toBe('not_analysable');
    const areas = await db.prisma.instance.findMany({ select: { studyId: true, brainAreaMm2: true } });
    expect(areas.filter((a) => a.studyId === waterStudy.id).every((a) => a.brainAreaMm2 === 0)).toBe(true);
    expect(areas.filter((a) => a.studyId !== waterStudy.id).some((a) => (a.brainAreaMm2 ?? 0) > 5_000)).toBe(true);
  });
});

/** Overwrites the (uncompressed, explicit VR little endian, int16) pixel data with one value. */
function fillPixels(bytes: Uint8Array, value: number): Uint8Array {
  const out = bytes.slice();
  for (let i = 132; i + 4 <= out.length; i++) {
    if (out[i] === 0xe0 && out[i + 1] === 0x7f && out[i + 2] === 0x10 && out[i + 3] === 0x00) {
      const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
      const start = i + 12; // tag, VR "OW", 2 reserved bytes, 4-byte length
      for (let p = start; p + 1 < out.length; p += 2) view.setInt16(p, value, true);
      return out;
    }
  }
  throw new Error('no pixel data');
}
