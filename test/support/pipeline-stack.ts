import { join } from 'node:path';
import pino from 'pino';
import type { PointsInForce } from '@/lib/study-decision';
import { HuCache } from '@/server/analysis/hu-cache';
import { SliceAnalyser } from '@/server/analysis/slice-analyser';
import { openDatabase, type Database } from '@/server/db';
import type { SliceDecoder } from '@/server/decode-pool';
import type { InferenceEngine } from '@/server/inference';
import { DicomFileStore } from '@/server/files';
import { IngestService } from '@/server/ingest/ingest-service';
import { QuarantineStore } from '@/server/ingest/quarantine-store';
import { recordInstance } from '@/server/ingest/record-instance';
import { recordQuarantinedInput } from '@/server/ingest/record-quarantine';
import { TriagePipeline, type StudyChange } from '@/server/triage/triage-pipeline';

/** The small model tests run (models/test-model): real ONNX, fast on CPU. */
export const TEST_MODEL_MANIFEST = 'models/test-model/tiny-test-0.1.0.json';

const silent = pino({ level: 'silent' });

export interface PipelineStack {
  db: Database;
  files: DicomFileStore;
  pipeline: TriagePipeline;
  ingest: IngestService;
  /** Every study change the pipeline reported, in order. */
  changes: { studyId: string; change: StudyChange }[];
}

/**
 * The server's stages wired as server/main.ts wires them (ingest → database + queue → analysis →
 * triage), on one database: `databaseUrl` for PostgreSQL, or SQLite in `dataDir`. Stored DICOM and
 * quarantine go under `dataDir`. The pipeline is not started.
 */
export async function createPipelineStack(options: {
  dataDir: string;
  databaseUrl?: string | undefined;
  engine: InferenceEngine;
  quietPeriodMs?: number;
  /** Early completion (server/triage/series-completion-decision.ts); absent: the quiet period and an announced count only. */
  completion?: { early: boolean; settleMs: number };
  doneJobRetentionMs?: number;
  /** The study-level points in force (server/triage/operating-points-in-force.ts); absent: the manifest's. */
  pointsInForce?: () => Promise<PointsInForce>;
  /** Where slices are decoded (server/decode-pool); absent: inline. */
  decoder?: SliceDecoder;
}): Promise<PipelineStack> {
  const { dataDir, databaseUrl, engine } = options;
  const db = await openDatabase({ databaseUrl, dataDir, log: silent });
  const files = new DicomFileStore(join(dataDir, 'dicom'));
  const changes: PipelineStack['changes'] = [];
  const pipeline = new TriagePipeline({
    prisma: db.prisma,
    analyser: new SliceAnalyser(db.prisma, files, engine, new HuCache(64 * 1024 * 1024), options.decoder),
    model: { manifest: engine.manifest, provider: engine.status.provider, ...(options.pointsInForce ? { pointsInForce: options.pointsInForce } : {}) },
    log: silent,
    quietPeriodMs: options.quietPeriodMs ?? 1500,
    agingLimitMs: 30 * 60_000,
    concurrency: 8,
    onStudyChanged: (studyId, change) => changes.push({ studyId, change }),
    ...(options.doneJobRetentionMs === undefined ? {} : { doneJobRetentionMs: options.doneJobRetentionMs }),
    ...(options.completion ? { completion: options.completion } : {}),
  });
  const ingest = new IngestService({
    files,
    quarantine: new QuarantineStore(join(dataDir, 'quarantine')),
    record: async (i) => {
      await recordInstance(db.prisma, i);
      pipeline.wake();
    },
    recordQuarantine: (entry) => recordQuarantinedInput(db.prisma, entry),
    log: silent,
  });
  return { db, files, pipeline, ingest, changes };
}
