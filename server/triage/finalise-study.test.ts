import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HuCache } from '@/server/analysis/hu-cache';
import { SliceAnalyser } from '@/server/analysis/slice-analyser';
import type { Database } from '@/server/db';
import { InferenceEngine } from '@/server/inference';
import { generatePhantomStudy } from '@/server/phantoms';
import { createPipelineStack, TEST_MODEL_MANIFEST } from '@/test/support/pipeline-stack';
import { allTestDatabases, type TestDatabase } from '@/test/support/test-databases';
import { finaliseStudy } from './finalise-study';

const log = pino({ level: 'silent' });

/**
 * Found by the multi-node soak (test/process/multi-node-soak.test.ts): a slice stored on a web node
 * while a worker is finalising that study must not be left out of the decision. The decision is
 * written only if no slice arrived since finalising began; otherwise the study stays open and is
 * decided again with the new slice (the sweep comes back to it). And with N workers (README,
 * Scaling out) two sweeps can take the same quiet study: it is decided once, not twice.
 */
describe.each(allTestDatabases())('finalising a study while a slice arrives, on $provider', (dbs) => {
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
    dataDir = mkdtempSync(join(tmpdir(), 'finalise-race-'));
    engine = await InferenceEngine.create({ manifestPath: TEST_MODEL_MANIFEST, providers: ['cpu'], maxBatch: 16, maxWaitMs: 2, intraOpThreads: 1, log });
  });
  afterEach(async () => {
    if (dbs.unavailable) return;
    await engine.close();
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('does not triage the study without the slice that arrived meanwhile', { timeout: 60_000 }, async () => {
    const stack = await createPipelineStack({ dataDir: target.databaseUrl ? dataDir : target.dataDir, databaseUrl: target.databaseUrl, engine });
    db = stack.db;
    const prisma = db.prisma;
    const phantom = generatePhantomStudy({ seed: 4242, slices: 6, size: 64, hemorrhage: null });
    for (const s of phantom.slices.slice(0, 5)) await stack.ingest.ingest(s.bytes, { channel: 'test', sender: 'unit' });
    const analyser = new SliceAnalyser(prisma, stack.files, engine, new HuCache(16 * 1024 * 1024));
    await analyser.analyseInstances((await prisma.instance.findMany({ select: { id: true } })).map((i) => i.id));
    const study = await prisma.study.findUniqueOrThrow({ where: { StudyInstanceUID: phantom.studyInstanceUid } });

    // The sixth slice is stored (by a web node) while the final pass runs.
    const racing = Object.create(analyser) as SliceAnalyser;
    racing.finaliseSeries = async (seriesId) => {
      await stack.ingest.ingest(phantom.slices[5]!.bytes, { channel: 'test', sender: 'unit' });
      return analyser.finaliseSeries(seriesId);
    };
    const result = await finaliseStudy(prisma, { analyser: racing, model: { manifest: engine.manifest, provider: 'cpu' }, policy: { agingLimitMs: 30 * 60_000 } }, study.id);

    expect(result).toBeUndefined();
    const after = await prisma.study.findUniqueOrThrow({ where: { id: study.id }, select: { status: true, triagedAt: true } });
    expect(after).toEqual({ status: 'receiving', triagedAt: null });
    expect(await prisma.statusChange.count({ where: { studyId: study.id, to: 'triaged' } })).toBe(0);

    // Once the new slice is analysed, the study is decided with all six.
    await analyser.analyseInstances((await prisma.instance.findMany({ where: { decodeStatus: 'pending' }, select: { id: true } })).map((i) => i.id));
    const decided = await finaliseStudy(prisma, { analyser, model: { manifest: engine.manifest, provider: 'cpu' }, policy: { agingLimitMs: 30 * 60_000 } }, study.id);
    expect(decided).toBeDefined();
    expect(await prisma.study.findUniqueOrThrow({ where: { id: study.id }, select: { status: true } })).toEqual({ status: 'triaged' });
    expect(await prisma.slicePrediction.count({ where: { studyId: study.id } })).toBe(6);
  });

  it('two workers finalising the same study at once decide it once', { timeout: 60_000 }, async () => {
    const stack = await createPipelineStack({ dataDir: target.databaseUrl ? dataDir : target.dataDir, databaseUrl: target.databaseUrl, engine });
    db = stack.db;
    const prisma = db.prisma;
    const phantom = generatePhantomStudy({ seed: 4343, slices: 4, size: 64, hemorrhage: null });
    for (const s of phantom.slices) await stack.ingest.ingest(s.bytes, { channel: 'test', sender: 'unit' });
    const analyser = new SliceAnalyser(prisma, stack.files, engine, new HuCache(16 * 1024 * 1024));
    await analyser.analyseInstances((await prisma.instance.findMany({ select: { id: true } })).map((i) => i.id));
    const study = await prisma.study.findUniqueOrThrow({ where: { StudyInstanceUID: phantom.studyInstanceUid } });

    // Both have read the open study before either writes its decision (two sweeps on two nodes).
    let arrived = 0;
    let release: () => void = () => {};
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    const worker = () => {
      const w = Object.create(analyser) as SliceAnalyser;
      w.finaliseSeries = async (seriesId) => {
        if (++arrived === 2) release();
        await bothRead;
        return analyser.finaliseSeries(seriesId);
      };
      return finaliseStudy(prisma, { analyser: w, model: { manifest: engine.manifest, provider: 'cpu' }, policy: { agingLimitMs: 30 * 60_000 } }, study.id);
    };
    const results = await Promise.all([worker(), worker()]);

    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await prisma.statusChange.count({ where: { studyId: study.id, to: 'triaged' } })).toBe(1);
  });
});
