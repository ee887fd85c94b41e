import type { Prisma } from '@/server/db';
import { JOB_KINDS, type JobInput, type JobKind } from './job-kinds';

/** A transaction (or the client itself): anything with the Job table. */
export type JobTx = Pick<Prisma.TransactionClient, 'job'>;

/**
 * Queues one job inside the caller's transaction, so the job exists if and only if what it works
 * on was recorded. Enqueueing the same input twice queues it once (the dedupe key is unique).
 */
export async function enqueueJob<K extends JobKind>(tx: JobTx, kind: K, input: JobInput<K>, runAfter = new Date()): Promise<void> {
  const uniqueKey = JOB_KINDS[kind].key(input);
  await tx.job.upsert({ where: { uniqueKey }, create: { kind, uniqueKey, payload: { ...input }, runAfter }, update: {} });
}
