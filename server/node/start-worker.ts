import { HuCache } from '@/server/analysis/hu-cache';
import { SliceAnalyser } from '@/server/analysis/slice-analyser';
import type { InferenceEngine } from '@/server/inference';
import { createOutbox } from '@/server/outbox/start-outbox';
import { registerDicomResults } from '@/server/results';
import { RetentionSweep } from '@/server/retention/retention-sweep';
import { TriagePipeline } from '@/server/triage/triage-pipeline';
import { readVersion } from '@/server/version';
import type { NodeContext, Stoppable } from './node-context';

export interface WorkerStages extends Stoppable {
  /** Tells the pipeline work was queued (same process); other nodes find it on their next poll. */
  wake(): void;
}

/**
 * The worker's stages: analysis and triage over the durable job queue (claimed safely by any
 * number of workers), and the retention sweep for stored DICOM.
 */
export function startWorker(ctx: NodeContext, engine: InferenceEngine): WorkerStages {
  const { config, log, db, files, audit } = ctx;
  // Alerts and results leave through the durable outbox, queued in each decision's transaction.
  const outbox = createOutbox({ prisma: db.prisma, log: log.child({ stage: 'outbox' }), audit, notify: config.notify, publicUrl: config.http.publicUrl });
  // AI results as DICOM SR to the PACS (RESULTS_DICOM_TARGET / RESULTS_STOW_URL), when configured.
  registerDicomResults(outbox, { prisma: db.prisma, files, targets: config.results, aeTitle: config.dicom.aeTitle, softwareVersion: readVersion(), log: log.child({ stage: 'results' }) });
  const pipeline = new TriagePipeline({
    prisma: db.prisma,
    analyser: new SliceAnalyser(db.prisma, files, engine, new HuCache(config.triage.huCacheBytes), ctx.decoder),
    model: { manifest: engine.manifest, provider: engine.status.provider, ...(ctx.pointsInForce ? { pointsInForce: () => ctx.pointsInForce!.current() } : {}) },
    log: log.child({ stage: 'triage' }),
    quietPeriodMs: config.triage.quietPeriodMs,
    completion: { early: config.triage.earlyCompletion, settleMs: config.triage.settleMs },
    agingLimitMs: config.triage.agingLimitMs,
    concurrency: config.inference.maxBatch,
    jobLeaseMs: config.triage.jobLeaseMs,
    afterDecision: outbox.afterDecision,
    onStudyChanged: (studyId, change) => {
      ctx.publishStudyChange(studyId, change);
      // A decision was just committed, possibly with messages: deliver now rather than at the next poll.
      if (change === 'triaged') outbox.dispatcher.wake();
    },
  });
  // Stored DICOM is a working copy (the PACS keeps the originals): deleted after the retention period.
  const retention = config.retention
    ? new RetentionSweep({
        prisma: db.prisma,
        files,
        retentionMs: config.retention.retentionMs,
        intervalMs: config.retention.sweepIntervalMs,
        log: log.child({ stage: 'retention' }),
        onPurged: async (study) => {
          await audit.record({ actor: null, action: 'study.files_purged', target: { type: 'study', id: study.studyInstanceUid }, details: { bytes: study.bytes } });
        },
      })
    : undefined;
  pipeline.start();
  retention?.start();
  outbox.dispatcher.start();
  return {
    wake: () => pipeline.wake(),
    stop: async () => {
      await retention?.stop();
      await pipeline.stop();
      // After the pipeline: a decision committed while draining still has its delivery attempted.
      await outbox.dispatcher.stop();
    },
  };
}
