import type { DbClient } from '@/server/db';
import { JOB_KINDS, type JobKind, type JobPayload } from './job-kinds';

export interface ClaimedJob<K extends JobKind = JobKind> {
  id: string;
  kind: K;
  payload: JobPayload<K>;
  attempts: number;
  maxAttempts: number;
}

/**
 * Durable work items between pipeline stages (the Job table). Jobs are enqueued inside the
 * transaction that records their input (`enqueueJob`); this class claims, renews, completes,
 * fails and prunes them. A job is claimed with a lease: if the process dies mid-job, the lease
 * expires and another worker (or this one after restart) claims it again, so no acknowledged slice
 * is left unanalysed. Claiming is a conditional update on (id, status, updatedAt), which is atomic
 * on SQLite and PostgreSQL alike, so several nodes may share one queue. Completing and failing are
 * conditional on still holding the lease: a worker whose lease expired and was taken over cannot
 * overwrite the new holder's state.
 */
export class JobQueue {
  constructor(
    private readonly prisma: DbClient,
    readonly owner: string,
    /** Short, and renewed while work runs (`renew`): a crashed worker's jobs come back within it. */
    readonly leaseMs = 15_000,
  ) {}

  /**
   * Claims up to `limit` runnable jobs of `kind`, highest priority and oldest first. A row whose
   * payload does not parse is failed for good (retrying cannot fix it) and not returned.
   */
  async claim<K extends JobKind>(kind: K, limit: number, now = new Date()): Promise<ClaimedJob<K>[]> {
    const candidates = await this.prisma.job.findMany({
      where: {
        kind,
        runAfter: { lte: now },
        OR: [{ status: 'pending' }, { status: 'leased', leaseUntil: { lt: now } }],
      },
      orderBy: [{ priority: 'desc' }, { runAfter: 'asc' }, { id: 'asc' }],
      take: limit,
      select: { id: true, payload: true, attempts: true, maxAttempts: true, status: true, updatedAt: true },
    });
    const claimed: ClaimedJob<K>[] = [];
    for (const job of candidates) {
      const { count } = await this.prisma.job.updateMany({
        where: { id: job.id, status: job.status, updatedAt: job.updatedAt },
        data: { status: 'leased', leaseOwner: this.owner, leaseUntil: new Date(now.getTime() + this.leaseMs), attempts: { increment: 1 } },
      });
      if (count !== 1) continue;
      const parsed = JOB_KINDS[kind].payload.safeParse(job.payload);
      if (!parsed.success) {
        await this.finish(job.id, { status: 'failed', lastError: `JOB_PAYLOAD_INVALID: ${parsed.error.message}`.slice(0, 1000) });
        continue;
      }
      claimed.push({ id: job.id, kind, payload: parsed.data as JobPayload<K>, attempts: job.attempts + 1, maxAttempts: job.maxAttempts });
    }
    return claimed;
  }

  /** Extends the leases this worker still holds on `ids` (called periodically during long work). */
  async renew(ids: readonly string[], now = new Date()): Promise<void> {
    await this.prisma.job.updateMany({
      where: { id: { in: [...ids] }, status: 'leased', leaseOwner: this.owner },
      data: { leaseUntil: new Date(now.getTime() + this.leaseMs) },
    });
  }

  /**
   * Marks a job done. False when this worker no longer holds its lease (it expired and another
   * worker claimed it): the job is then left to that worker, who will do it again.
   */
  async complete(id: string): Promise<boolean> {
    return this.finish(id, { status: 'done', lastError: null });
  }

  /** Retries later with exponential backoff, or gives up after maxAttempts. 'lost': the lease was taken over. */
  async fail(job: ClaimedJob, error: string): Promise<'retry' | 'failed' | 'lost'> {
    const giveUp = job.attempts >= job.maxAttempts;
    const backoffMs = Math.min(60_000, 500 * 2 ** (job.attempts - 1));
    const lastError = error.slice(0, 1000);
    const { count } = await this.prisma.job.updateMany({
      where: { id: job.id, status: 'leased', leaseOwner: this.owner },
      data: giveUp
        ? { status: 'failed', lastError, finishedAt: new Date(), leaseOwner: null, leaseUntil: null }
        : { status: 'pending', lastError, runAfter: new Date(Date.now() + backoffMs), leaseOwner: null, leaseUntil: null },
    });
    if (count === 0) return 'lost';
    return giveUp ? 'failed' : 'retry';
  }

  /**
   * Deletes done jobs finished before `olderThan` (one row per slice would otherwise stay forever).
   * Failed jobs are kept for an operator to look at. Returns how many rows went.
   */
  async pruneDone(olderThan: Date): Promise<number> {
    const { count } = await this.prisma.job.deleteMany({ where: { status: 'done', finishedAt: { lt: olderThan } } });
    return count;
  }

  private async finish(id: string, data: { status: 'done' | 'failed'; lastError: string | null }): Promise<boolean> {
    const { count } = await this.prisma.job.updateMany({
      where: { id, status: 'leased', leaseOwner: this.owner },
      data: { ...data, finishedAt: new Date(), leaseOwner: null, leaseUntil: null },
    });
    return count === 1;
  }
}
