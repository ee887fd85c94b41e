import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StudyOperatingPoint } from '@/lib/model-manifest';
import { flagReason } from '@/lib/study-decision';
import { AuditService } from '@/server/audit';
import type { Database } from '@/server/db';
import { InferenceEngine } from '@/server/inference';
import { generatePhantomStudy } from '@/server/phantoms';
import { OperatingPointsInForce } from '@/server/triage/operating-points-in-force';
import { readStudyDetail } from '@/server/triage/study-query';
import { readWorklistItem } from '@/server/triage/worklist-query';
import { createPipelineStack, TEST_MODEL_MANIFEST } from '../support/pipeline-stack';
import { allTestDatabases, type TestDatabase } from '../support/test-databases';

const log = pino({ level: 'silent' });

async function until<T>(what: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const point = (threshold: number): StudyOperatingPoint => ({
  threshold,
  targetSensitivity: 0.95,
  sensitivity: 0.96,
  specificity: 0.6,
  positives: 29,
  negatives: 37,
  sensitivityCi: [0.89, 1],
  specificityCi: [0.43, 0.76],
  flaggedNormalFraction: 0.4,
  measuredOn: 'out-of-fold validation (66 patients)',
});

describe.each(allTestDatabases())('the study-level decision through the pipeline on $provider', (dbs) => {
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
    dataDir = mkdtempSync(join(tmpdir(), 'decision-'));
    engine = await InferenceEngine.create({ manifestPath: TEST_MODEL_MANIFEST, providers: ['cpu'], maxBatch: 16, maxWaitMs: 2, intraOpThreads: 1, log });
  });
  afterEach(async () => {
    if (dbs.unavailable) return;
    await engine.close();
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('flags by the study point in force, suspects only subtypes with their own point, and an admin change decides new studies only', async () => {
    // The points read the stack's database, and the stack's pipeline reads the points.
    const late: { points?: OperatingPointsInForce } = {};
    const stack = await createPipelineStack({
      dataDir: target.databaseUrl ? dataDir : target.dataDir,
      databaseUrl: target.databaseUrl,
      engine,
      quietPeriodMs: 800,
      pointsInForce: () => late.points!.current(),
    });
    db = stack.db;
    // Any at 0 flags every scored study; epidural has a point (0: suspected), subdural none: never suspected.
    const manifest = { ...engine.manifest, studyOperatingPoints: { any: point(0), epidural: point(0) } };
    const points = new OperatingPointsInForce({ prisma: db.prisma, manifest, cacheMs: 0 });
    late.points = points;
    const audit = new AuditService({ prisma: db.prisma, provider: db.provider });
    stack.pipeline.start();
    const triaged = async (seed: number) => {
      const phantom = generatePhantomStudy({ seed, slices: 4, size: 64, hemorrhage: 'subdural' });
      for (const s of phantom.slices) await stack.ingest.ingest(s.bytes, { channel: 'test', sender: 'unit' });
      return until(() => db!.prisma.study.findFirst({ where: { StudyInstanceUID: phantom.studyInstanceUid, status: 'triaged' } }));
    };

    const first = await triaged(41);
    expect(first).toMatchObject({ outcome: 'flagged', flagged: true, epiduralFlagged: true, subduralFlagged: false, intraparenchymalFlagged: false });
    const row = (await readWorklistItem(db.prisma, first.id))!;
    expect(row.decision).toMatchObject({ threshold: 0, source: 'manifest', targetSensitivity: 0.95, subtypeThresholds: { epidural: 0 } });
    expect(flagReason(row.probabilities.any, row.decision)).toMatch(/≥ 0\.00, the point chosen for 95 % sensitivity on out-of-fold validation \(66 patients\), where it flagged 40 % of normal studies$/);
    const detail = (await readStudyDetail(db.prisma, first.StudyInstanceUID))!;
    expect(detail.priority.reasons[0]).toMatch(/^flagged: any [0-9.]+ ≥ 0\.00 \(95 % sensitivity point\)$/);

    // An admin puts an own threshold in force: the next study is decided by it, the first keeps its decision.
    await points.change({ use: 'custom', threshold: 0.999 }, 'too many flags on this scanner', { userId: null, username: 'admin' }, audit);
    const second = await triaged(42);
    expect(second).toMatchObject({ outcome: 'not_flagged', flagged: false, epiduralFlagged: false });
    expect((await readWorklistItem(db.prisma, second.id))!.decision).toMatchObject({ threshold: 0.999, source: 'admin', setBy: 'admin' });
    expect(await db.prisma.study.findUniqueOrThrow({ where: { id: first.id } })).toMatchObject({ flagged: true });
    const entry = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'operating_point.changed' } });
    expect(JSON.parse(entry.details)).toEqual({ model: 'tiny-test@0.1.0', source: 'admin', anyThreshold: 0.999 });
    const view = await points.view();
    expect(view.inForce.source).toBe('admin');
    expect(view.history).toEqual([expect.objectContaining({ setBy: 'admin', source: 'admin', anyThreshold: 0.999, reason: 'too many flags on this scanner' })]);

    // Back to the manifest's point, and a site point is refused when none is loaded.
    await points.change({ use: 'manifest' }, 'back to the validated point', { userId: null, username: 'admin' }, audit);
    expect((await points.current()).source).toBe('manifest');
    await expect(points.change({ use: 'site' }, 'no file', { userId: null, username: 'admin' }, audit)).rejects.toThrow(/no site calibration/);
    await stack.pipeline.stop();
  }, 90_000);
});
