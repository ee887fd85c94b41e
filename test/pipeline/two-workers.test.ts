import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HuCache } from '@/server/analysis/hu-cache';
import { SliceAnalyser } from '@/server/analysis/slice-analyser';
import { openDatabase, type Database } from '@/server/db';
import { InferenceEngine } from '@/server/inference';
import { DicomFileStore } from '@/server/files';
import { IngestService } from '@/server/ingest/ingest-service';
import { QuarantineStore } from '@/server/ingest/quarantine-store';
import { recordInstance } from '@/server/ingest/record-instance';
import { generatePhantomStudy } from '@/server/phantoms';
import { TriagePipeline } from '@/server/triage/triage-pipeline';
import { allTestDatabases } from '../support/test-databases';

const log = pino({ level: 'silent' });
const STUDIES = 5;
const SLICES = 40;

/**
 * Issue 4 §6: several workers share one queue. Two pipelines (each with its own database client
 * and lease owner, as two processes would have) drain 200 queued slices; every slice must be
 * analysed exactly once — none twice, none lost.
 */
describe.each(allTestDatabases())('two workers sharing one queue on $provider', (dbs) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'two-workers-'));
  let engine: InferenceEngine;
  const dbsOpen: Database[] = [];

  beforeAll(async () => {
    if (dbs.unavailable) return;
    await dbs.start();
    engine = await InferenceEngine.create({ manifestPath: 'models/test-model/tiny-test-0.1.0.json', providers: ['cpu'], maxBatch: 16, maxWaitMs: 2, intraOpThreads: 1, log });
  }, 60_000);
  afterAll(async () => {
    for (const db of dbsOpen) await db.close();
    await engine?.close();
    await dbs.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.skipIf(dbs.unavailable)('analyses 200 slices exactly once between two workers', async () => {
    const target = await dbs.fresh();
    const open = async () => {
      const db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.databaseUrl ? dataDir : target.dataDir, log });
      dbsOpen.push(db);
      return db;
    };
    const files = new DicomFileStore(join(dataDir, 'dicom'));
    const ingestDb = await open();
    const ingest = new IngestService({
      files,
      quarantine: new QuarantineStore(join(dataDir, 'quarantine')),
      record: (i) => recordInstance(ingestDb.prisma, i).then(() => undefined),
      log,
    });
    // Everything is queued before the workers start, so they race for every job.
    for (let s = 0; s < STUDIES; s++) {
      const study = generatePhantomStudy({ seed: 900 + s, slices: SLICES, size: 32 });
      for (const slice of study.slices) await ingest.ingest(slice.bytes, { channel: 'test', sender: 'unit' });
    }
    expect(await ingestDb.prisma.job.count({ where: { status: 'pending' } })).toBe(STUDIES * SLICES);

    const analysedBy = new Map<string, string[]>();
    const workers = await Promise.all(
      ['A', 'B'].map(async (name) => {
        const db = await open();
        const analyser = new SliceAnalyser(db.prisma, files, engine, new HuCache(64 * 1024 * 1024));
        const analyse = analyser.analyseInstances.bind(analyser);
        analyser.analyseInstances = async (ids) => {
          for (const id of ids) analysedBy.set(id, [...(analysedBy.get(id) ?? []), name]);
          return analyse(ids);
        };
        return new TriagePipeline({
          prisma: db.prisma,
          analyser,
          model: { manifest: engine.manifest, provider: 'cpu' },
          log,
          quietPeriodMs: 500,
          agingLimitMs: 30 * 60_000,
          concurrency: 8,
          onStudyChanged: () => {},
        });
      }),
    );
    for (const w of workers) w.start();
    const deadline = Date.now() + 120_000;
    while ((await ingestDb.prisma.study.count({ where: { status: 'triaged' } })) < STUDIES) {
      if (Date.now() > deadline) throw new Error('studies were not all triaged in time');
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all(workers.map((w) => w.stop()));

    const instances = await ingestDb.prisma.instance.findMany({ select: { id: true } });
    expect(instances).toHaveLength(STUDIES * SLICES);
    const twice = [...analysedBy.entries()].filter(([, by]) => by.length > 1);
    expect(twice).toEqual([]);
    expect(instances.filter((i) => !analysedBy.has(i.id))).toEqual([]);
    expect(await ingestDb.prisma.slicePrediction.count()).toBe(STUDIES * SLICES);
    const jobs = await ingestDb.prisma.job.findMany({ select: { status: true, attempts: true, leaseOwner: true } });
    expect(jobs.every((j) => j.status === 'done' && j.attempts === 1)).toBe(true);
    // Both workers took part.
    const counts = { A: 0, B: 0 };
    for (const by of analysedBy.values()) counts[by[0] as 'A' | 'B']++;
    expect(counts.A).toBeGreaterThan(0);
    expect(counts.B).toBeGreaterThan(0);
  }, 180_000);
});
