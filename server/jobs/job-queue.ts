import type { DbClient } from '@/server/db';

export interface ClaimedJob {
  id: string;
  kind: string;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
}

/**
 * Durable work items between pipeline stages (the Job table). Jobs are enqueued inside the
 * transaction that records their input (server/ingest/record-instance.ts); this class claims,
 * renews, completes and fails them. A job is claimed with a lease: if
 * the process dies mid-job, the lease expires and another worker (or this one after restart)
 * claims it again, so no acknowledged slice is left unanalysed. Claiming is a conditional update
 * on (id, status, updatedAt), which is atomic on SQLite and PostgreSQL alike, so several nodes
 * may share one queue.
 */
export class JobQueue {
  constructor(
    private readonly prisma: DbClient,
    private readonly owner: string,
    /** Short, and renewed while work runs (`renew`): a crashed worker's jobs come back within it. */
    readonly leaseMs = 15_000,
  ) {}

  /** Claims up to `limit` runnable jobs of `kind`, highest priority and oldest first. */
  async claim(kind: string, limit: number, now = new Date()): Promise<ClaimedJob[]> {
    const candidates = await this.prisma.job.findMany({
      where: {
        kind,
        runAfter: { lte: now },
        OR: [{ status: 'pending' }, { status: 'leased', leaseUntil: { lt: now } }],
      },
      orderBy: [{ priority: 'desc' }, { runAfter: 'asc' }, { id: 'asc' }],
      take: limit,
      select: { id: true, kind: true, payload: true, attempts: true, maxAttempts: true, status: true, updatedAt: true },
    });
    const claimed: ClaimedJob[] = [];
    for (const job of candidates) {
      const { count } = await this.prisma.job.updateMany({
        where: { id: job.id, status: job.status, updatedAt: job.updatedAt },
        data: { status: 'leased', leaseOwner: this.owner, leaseUntil: new Date(now.getTime() + this.leaseMs), attempts: { increment: 1 } },
      });
      if (count === 1) claimed.push({ id: job.id, kind: job.kind, payload: job.payload, attempts: job.attempts + 1, maxAttempts: job.maxAttempts });
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

  async complete(id: string): Promise<void> {
    await this.prisma.job.update({ where: { id }, data: { status: 'done', finishedAt: new Date(), leaseOwner: null, leaseUntil: null } });
  }

  /** Retries later with exponential backoff, or gives up after maxAttempts. */
  async fail(job: ClaimedJob, error: string): Promise<'retry' | 'failed'> {
    const giveUp = job.attempts >= job.maxAttempts;
    const backoffMs = Math.min(60_000, 500 * 2 ** (job.attempts - 1));
    await this.prisma.job.update({
      where: { id: job.id },
      data: giveUp
        ? { status: 'failed', lastError: error.slice(0, 1000), finishedAt: new Date(), leaseOwner: null, leaseUntil: null }
        : { status: 'pending', lastError: error.slice(0, 1000), runAfter: new Date(Date.now() + backoffMs), leaseOwner: null, leaseUntil: null },
    });
    return giveUp ? 'failed' : 'retry';
  }
}
