import type { Prisma } from '@/server/db';

/** A transaction (or the client itself): anything with the OutboxMessage table. */
export type OutboxTx = Pick<Prisma.TransactionClient, 'outboxMessage'>;

/** One message to send later, as the enqueuer supplies it. */
export interface OutboxInput {
  /** The deliverer that sends it (OutboxDispatcher.registerDeliverer), e.g. "webhook". */
  kind: string;
  /**
   * Unique across every kind (the table's unique key), and stable for the same event: enqueueing it
   * again keeps the one row. Convention: `<kind>:<what>:<when>`, e.g. `webhook:<study UID>:<triagedAt ms>`.
   */
  eventId: string;
  studyInstanceUid?: string | null | undefined;
  /** What the deliverer reads back (validated there by its schema). No PHI unless configured. */
  payload: Prisma.InputJsonValue;
  /** Earliest delivery (default now). */
  notBefore?: Date | undefined;
}

/**
 * Queues one outgoing message inside the caller's transaction, so it exists if and only if the
 * decision it reports was committed (nothing to lose between "decided" and "queued"). The same
 * eventId twice is one row (the first wins). Returns Prisma's lazy promise, so it also fits an
 * array `$transaction([...])`.
 */
export function enqueueOutbox(tx: OutboxTx, input: OutboxInput): Prisma.PrismaPromise<unknown> {
  if (!input.kind || !input.eventId) throw new Error('enqueueOutbox: kind and eventId are required');
  return tx.outboxMessage.upsert({
    where: { eventId: input.eventId },
    create: {
      kind: input.kind,
      eventId: input.eventId,
      studyInstanceUid: input.studyInstanceUid ?? null,
      payload: input.payload,
      ...(input.notBefore ? { nextAttemptAt: input.notBefore } : {}),
    },
    update: {},
  });
}
