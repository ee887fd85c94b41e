import { randomUUID } from 'node:crypto';
import type { DbClient } from '@/server/db';
import type { SliceAnalyser } from '@/server/analysis/slice-analyser';
import { analyseJobKeyPrefix, JobQueue } from '@/server/jobs';
import type { Logger } from '@/server/logging';
import type { StudyChange as LiveStudyChange } from '@/lib/realtime-events';
import { finaliseStudy, type AfterDecision } from './finalise-study';
import { PRIORITY_TIERS } from './priority';
import { readCompletionFacts } from './read-completion-facts';
import { rescoreStudy, type ModelIdentity } from './rescore-study';
import { decideCompletion, type CompletionRule } from './series-completion-decision';

/** What the pipeline reports: a score moved, the study was triaged, or aging moved it up the list. */
export type StudyChange = Extract<LiveStudyChange, 'progress' | 'triaged' | 'reordered'>;

export interface TriagePipelineOptions {
  prisma: DbClient;
  analyser: SliceAnalyser;
  model: ModelIdentity;
  log: Logger;
  /** A study is complete when no slice arrived for this long (and none is still being analysed): the fallback. */
  quietPeriodMs: number;
  /**
   * Completing sooner, from the association's end or the series' geometry, once no slice came for
   * `settleMs` (server/triage/series-completion-decision.ts). Absent: the quiet period and an announced count only.
   */
  completion?: { early: boolean; settleMs: number };
  /** Unreviewed studies older than this move up to the needs-eyes tier. */
  agingLimitMs: number;
  /** Slices analysed concurrently: what the engine may batch together. */
  concurrency: number;
  /** Called after a study's figures or status changed (realtime push, metrics). */
  onStudyChanged: (studyId: string, change: StudyChange) => void;
  /** A claimed job's lease (JOB_LEASE_S; default the queue's 15 s). */
  jobLeaseMs?: number;
  /** Run inside each decision's transaction (outbox messages: alerts, DICOM results), in order. */
  afterDecision?: readonly AfterDecision[];
  /** Done jobs are deleted this long after they finished (default 10 minutes). */
  doneJobRetentionMs?: number;
}

const DEFAULT_DONE_JOB_RETENTION_MS = 10 * 60_000;
// Pruning is one indexed delete; once a minute is plenty and keeps it off every sweep tick.
const PRUNE_EVERY_MS = 60_000;

/**
 * Drives analysis and triage from the durable queue: claims slice jobs, analyses them in groups
 * (so the engine batches), rescores their studies provisionally, and finalises studies whose
 * quiet period has passed. Everything it needs is in the database, so after a crash or restart
 * it simply continues: expired leases are claimed again, quiet studies are finalised.
 */
export class TriagePipeline {
  private readonly queue: JobQueue;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping = false;
  private lastPruneAt = 0;

  private readonly rule: CompletionRule;
  private settleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: TriagePipelineOptions) {
    this.queue = new JobQueue(o.prisma, `node-${randomUUID().slice(0, 8)}`, o.jobLeaseMs);
    this.rule = { quietPeriodMs: o.quietPeriodMs, settleMs: o.completion?.settleMs ?? o.quietPeriodMs, early: o.completion?.early ?? false };
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
    // Early completion is looked for a few times per settle period, so it is noticed soon after it passes.
    const early = this.rule.early ? this.rule.settleMs / 4 : Infinity;
    this.sweepTimer = setInterval(() => void this.sweep(), Math.max(200, Math.min(1000, this.o.quietPeriodMs / 4, early)));
  }

  /** New work was queued: do not wait for the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.sweepTimer);
    clearTimeout(this.settleTimer);
    this.wake();
    await this.loop;
    while (this.sweeping) await new Promise((r) => setTimeout(r, 10));
  }

  private async run(): Promise<void> {
    while (this.running) {
      let worked = false;
      try {
        worked = await this.analyseSome();
      } catch (err) {
        this.o.log.error({ err }, 'analysis loop error');
      }
      if (!worked && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 500);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = undefined;
      }
    }
  }

  private async analyseSome(): Promise<boolean> {
    const jobs = await this.queue.claim('analyse-instance', this.o.concurrency);
    if (jobs.length === 0) return false;
    const touched = new Set<string>();
    const ids = jobs.map((job) => job.payload.instanceId);
    // Keep the leases alive while the group runs, so a slow batch is not claimed twice while a
    // crashed worker's jobs still come back within one short lease.
    const renewal = setInterval(() => void this.queue.renew(jobs.map((j) => j.id)).catch(() => {}), this.queue.leaseMs / 3);
    try {
      const outcomes = await this.o.analyser.analyseInstances(ids);
      for (const o of outcomes.values()) touched.add(o.studyId);
      for (const job of jobs) {
        // Lost: the lease ran out and another worker claimed the slice; it redoes it (idempotent).
        if (!(await this.queue.complete(job.id))) this.o.log.warn({ jobId: job.id }, 'job lease was taken over before completion');
      }
    } catch (err) {
      // The group fails together (a model or database error, not a bad file: those are recorded
      // per slice); each job is retried with backoff, then marked failed.
      for (const job of jobs) {
        const result = await this.queue.fail(job, err instanceof Error ? err.message : String(err));
        this.o.log.error({ err, jobId: job.id, attempt: job.attempts, result }, 'slice analysis failed');
      }
    } finally {
      clearInterval(renewal);
    }
    for (const studyId of touched) {
      await rescoreStudy(this.o.prisma, studyId, this.o.model);
      this.o.onStudyChanged(studyId, 'progress');
    }
    // A study whose last announced slice was just analysed completes now, not at the next tick;
    // one whose early signals wait for the settle time is looked at again as soon as it passes.
    void this.sweep();
    if (this.rule.early) {
      clearTimeout(this.settleTimer);
      this.settleTimer = setTimeout(() => void this.sweep(), this.rule.settleMs + 20);
    }
    return true;
  }

  /** Receiving studies whose series already holds the slice count the scanner announced. */
  private async studiesWithAllSlices(): Promise<{ id: string }[]> {
    const candidates = await this.o.prisma.study.findMany({
      where: { status: 'receiving', expectedSliceCount: { not: null } },
      select: { id: true, expectedSliceCount: true, series: { select: { instanceCount: true } } },
      take: 50,
    });
    return candidates.filter((s) => s.series.some((x) => x.instanceCount >= s.expectedSliceCount!)).map(({ id }) => ({ id }));
  }

  /** Moves open, unreviewed studies that waited past the aging limit up to the needs-eyes tier. */
  private async ageWaitingStudies(): Promise<void> {
    const aged = await this.o.prisma.study.findMany({
      where: { priorityTier: PRIORITY_TIERS.ranked, status: { in: ['receiving', 'analysing', 'triaged'] }, receivedAt: { lt: new Date(Date.now() - this.o.agingLimitMs) } },
      select: { id: true },
      take: 100,
    });
    if (aged.length === 0) return;
    await this.o.prisma.study.updateMany({ where: { id: { in: aged.map((a) => a.id) } }, data: { priorityTier: PRIORITY_TIERS.needsEyes } });
    for (const { id } of aged) this.o.onStudyChanged(id, 'reordered');
  }

  /** Deletes done job rows past their retention, at most once a minute (or once per retention, if shorter). */
  private async pruneDoneJobs(now = Date.now()): Promise<void> {
    const retentionMs = this.o.doneJobRetentionMs ?? DEFAULT_DONE_JOB_RETENTION_MS;
    if (now - this.lastPruneAt < Math.min(PRUNE_EVERY_MS, retentionMs)) return;
    this.lastPruneAt = now;
    const pruned = await this.queue.pruneDone(new Date(now - retentionMs));
    if (pruned > 0) this.o.log.debug({ pruned }, 'pruned done jobs');
  }

  /** Finalises every study that has been quiet long enough and has nothing left to analyse. */
  private async sweep(): Promise<void> {
    if (this.sweeping || !this.running) return;
    this.sweeping = true;
    try {
      const quietSince = new Date(Date.now() - this.o.quietPeriodMs);
      const quiet = await this.o.prisma.study.findMany({
        where: { status: { in: ['receiving', 'analysing'] }, lastSliceAt: { lt: quietSince } },
        select: { id: true },
        orderBy: { lastSliceAt: 'asc' },
        take: 20,
      });
      // Settled but not yet quiet: complete if the association's end or the geometry says so.
      const settled = this.rule.early
        ? await this.o.prisma.study.findMany({
            where: { status: { in: ['receiving', 'analysing'] }, lastSliceAt: { lt: new Date(Date.now() - this.rule.settleMs), gte: quietSince } },
            select: { id: true },
            orderBy: { lastSliceAt: 'asc' },
            take: 20,
          })
        : [];
      const due = [...quiet, ...(await this.studiesWithAllSlices()), ...settled].filter((s, i, all) => all.findIndex((t) => t.id === s.id) === i);
      for (const { id } of due) {
        const outstanding = await this.o.prisma.job.count({
          where: { kind: 'analyse-instance', status: { in: ['pending', 'leased'] }, uniqueKey: { startsWith: analyseJobKeyPrefix(id) } },
        });
        if (outstanding > 0) continue;
        const facts = await readCompletionFacts(this.o.prisma, id);
        const decision = facts ? decideCompletion(facts, this.rule) : { complete: false as const };
        if (!decision.complete) continue;
        const result = await finaliseStudy(
          this.o.prisma,
          { analyser: this.o.analyser, model: this.o.model, policy: { agingLimitMs: this.o.agingLimitMs }, afterDecision: this.o.afterDecision },
          id,
          new Date(),
          { basis: decision.basis, possiblyIncomplete: decision.possiblyIncomplete },
        );
        if (result) {
          this.o.log.info({ studyId: id, outcome: result.outcome, completion: decision.basis, possiblyIncomplete: decision.possiblyIncomplete }, 'study triaged');
          this.o.onStudyChanged(id, 'triaged');
        }
      }
      await this.ageWaitingStudies();
      await this.pruneDoneJobs();
    } catch (err) {
      this.o.log.error({ err }, 'triage sweep error');
    } finally {
      this.sweeping = false;
    }
  }
}
