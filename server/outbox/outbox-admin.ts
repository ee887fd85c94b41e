import { AppError } from '@/lib/errors';
import type { OutboxRow, OutboxState, OutboxSummary } from '@/lib/outbox';
import type { DbClient } from '@/server/db';

const rowSelect = {
  id: true,
  kind: true,
  eventId: true,
  studyInstanceUid: true,
  state: true,
  attempts: true,
  nextAttemptAt: true,
  lastError: true,
  deliveredAt: true,
  createdAt: true,
} as const;

/** Newest rows first, optionally of one state; never the payload. */
export async function listOutbox(prisma: DbClient, filter: { state?: OutboxState | undefined; limit: number }): Promise<OutboxRow[]> {
  const rows = await prisma.outboxMessage.findMany({
    where: filter.state ? { state: filter.state } : {},
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: filter.limit,
    select: rowSelect,
  });
  return rows.map((r) => ({
    ...r,
    nextAttemptAt: r.state === 'pending' ? r.nextAttemptAt.toISOString() : null,
    deliveredAt: r.deliveredAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  }));
}

/** Backlog, failed and delivered counts, the oldest undelivered row and the latest error. */
export async function outboxSummary(prisma: DbClient): Promise<OutboxSummary> {
  const [byState, oldest, errored, kinds] = await Promise.all([
    prisma.outboxMessage.groupBy({ by: ['state'], _count: { _all: true } }),
    prisma.outboxMessage.findFirst({ where: { state: { in: ['pending', 'delivering'] } }, orderBy: { createdAt: 'asc' }, select: { createdAt: true } }),
    prisma.outboxMessage.findFirst({ where: { state: { in: ['pending', 'delivering', 'failed'] }, lastError: { not: null } }, orderBy: { updatedAt: 'desc' }, select: { kind: true, updatedAt: true, lastError: true } }),
    prisma.outboxMessage.findMany({ distinct: ['kind'], select: { kind: true }, orderBy: { kind: 'asc' } }),
  ]);
  const count = (s: OutboxState) => byState.find((r) => r.state === s)?._count._all ?? 0;
  return {
    backlog: count('pending') + count('delivering'),
    failed: count('failed'),
    delivered: count('delivered'),
    oldestPendingAt: oldest?.createdAt.toISOString() ?? null,
    lastError: errored ? { kind: errored.kind, at: errored.updatedAt.toISOString(), error: errored.lastError! } : null,
    kinds: kinds.map((k) => k.kind),
  };
}

/**
 * An admin's "retry now": a failed or waiting row becomes due at once, with a fresh attempt budget
 * (the attempts it already used are in the audit entry). Delivered and in-flight rows are refused:
 * re-sending a delivered event is the receiver's call, and a leased row is being tried right now.
 */
export async function retryOutboxMessage(prisma: DbClient, id: string, now = new Date()): Promise<{ kind: string; eventId: string; studyInstanceUid: string | null; previousState: OutboxState; attempts: number }> {
  const row = await prisma.outboxMessage.findUnique({ where: { id }, select: { kind: true, eventId: true, studyInstanceUid: true, state: true, attempts: true } });
  if (!row) throw new AppError('NOT_FOUND', 'no such outbox message');
  if (row.state !== 'failed' && row.state !== 'pending') {
    throw new AppError('VALIDATION_FAILED', `an outbox message that is ${row.state} cannot be retried`);
  }
  const { count } = await prisma.outboxMessage.updateMany({
    where: { id, state: row.state, attempts: row.attempts },
    data: { state: 'pending', attempts: 0, nextAttemptAt: now },
  });
  if (count !== 1) throw new AppError('VALIDATION_FAILED', 'the outbox message changed meanwhile: reload and try again');
  return { kind: row.kind, eventId: row.eventId, studyInstanceUid: row.studyInstanceUid, previousState: row.state, attempts: row.attempts };
}
