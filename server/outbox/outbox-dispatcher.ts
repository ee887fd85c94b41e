import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { DbClient } from '@/server/db';
import type { Logger } from '@/server/logging';
import { isPermanentDeliveryError } from './delivery-error';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './retry-delay';

/** One leased message, as a deliverer gets it. */
export interface OutboxDelivery<T = unknown> {
  id: string;
  kind: string;
  eventId: string;
  studyInstanceUid: string | null;
  payload: T;
  /** This attempt's number, from 1. */
  attempt: number;
  createdAt: Date;
}

/**
 * Sends one message. Resolves when the receiver accepted it (optionally with a short note for the
 * audit trail, e.g. "HTTP 200"); throws to retry later, or throws PermanentDeliveryError to give up.
 * `signal` aborts at the delivery timeout: pass it to fetch / the socket.
 */
export type DeliverFn<T> = (message: OutboxDelivery<T>, signal: AbortSignal) => Promise<string | void>;

/** What happened to one attempt; `retry` means it will be tried again at nextAttemptAt. */
export interface DeliveryOutcome {
  id: string;
  kind: string;
  eventId: string;
  studyInstanceUid: string | null;
  result: 'delivered' | 'retry' | 'failed';
  attempts: number;
  /** The receiver's note on success, the error on failure. */
  detail: string | null;
  nextAttemptAt: Date | null;
}

export interface OutboxDispatcherOptions {
  prisma: DbClient;
  log: Logger;
  /** This node's lease owner name (default node-<random>). */
  owner?: string;
  /** How long a leased row is this node's; a dead node's row is taken again after it (default: delivery timeout + 30 s). */
  leaseMs?: number;
  /** Longest one delivery may take before it is aborted and retried (default 15 s). */
  deliveryTimeoutMs?: number;
  /** Poll for due rows when nothing woke the dispatcher (default 1 s). */
  pollIntervalMs?: number;
  /** Rows leased and delivered concurrently per round (default 8). */
  batchSize?: number;
  /** Attempts before a message is failed for good (default 12: ~1 h 20 min of retries with the default backoff). */
  maxAttempts?: number;
  retry?: RetryPolicy;
  /** Delivered rows are deleted this long after delivery (default 30 days; 0 keeps them forever). Failed rows stay for admins. */
  keepDeliveredMs?: number;
  /** How often the dispatcher prunes delivered rows (default hourly). */
  pruneIntervalMs?: number;
  /** Every attempt's outcome (the composition root audits delivered and failed ones). Errors here are logged, not thrown. */
  onOutcome?: (outcome: DeliveryOutcome) => void | Promise<void>;
}

interface Registered {
  deliver: DeliverFn<unknown>;
  payload: z.ZodType | undefined;
}

const MAX_ERROR_CHARS = 1000;
export const DEFAULT_KEEP_DELIVERED_MS = 30 * 86_400_000;

/**
 * Delivers the outbox (OutboxMessage rows, written by enqueueOutbox inside the transaction of
 * the decision they report) through the deliverers registered per kind. Several nodes may run one:
 * a due row is leased by a conditional update (state, attempts and updatedAt as read), which only
 * one node can win on SQLite and PostgreSQL alike, and only the lease holder may record the
 * outcome. A node killed mid-delivery leaves a `delivering` row whose lease runs out, and any
 * node takes it again: nothing enqueued is lost; a receiver may then see an event twice, which
 * is what the stable eventId is for. Failures are retried with exponential backoff and jitter,
 * up to maxAttempts, then the row is `failed` (kept, visible to admins, retryable).
 */
export class OutboxDispatcher {
  readonly owner: string;
  private readonly deliverers = new Map<string, Registered>();
  private readonly leaseMs: number;
  private readonly deliveryTimeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  readonly maxAttempts: number;
  private readonly retry: RetryPolicy;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private readonly keepDeliveredMs: number;
  private readonly pruneIntervalMs: number;
  private nextPruneAt = 0;

  constructor(private readonly o: OutboxDispatcherOptions) {
    this.owner = o.owner ?? `node-${randomUUID().slice(0, 8)}`;
    this.deliveryTimeoutMs = o.deliveryTimeoutMs ?? 15_000;
    this.leaseMs = o.leaseMs ?? this.deliveryTimeoutMs + 30_000;
    this.pollIntervalMs = o.pollIntervalMs ?? 1000;
    this.batchSize = o.batchSize ?? 8;
    this.maxAttempts = o.maxAttempts ?? 12;
    this.retry = o.retry ?? DEFAULT_RETRY_POLICY;
    this.keepDeliveredMs = o.keepDeliveredMs ?? DEFAULT_KEEP_DELIVERED_MS;
    this.pruneIntervalMs = o.pruneIntervalMs ?? 3_600_000;
    if (this.leaseMs <= this.deliveryTimeoutMs) throw new Error('OutboxDispatcher: the lease must outlast the delivery timeout');
  }

  /**
   * Registers the sender of `kind` (before start). Only registered kinds are leased by this node,
   * so a node without, say, a FHIR target leaves FHIR rows to a node that has one. `payload`
   * validates the row's JSON first: a row that does not parse is failed for good.
   */
  registerDeliverer<T>(kind: string, deliver: DeliverFn<T>, payload?: z.ZodType<T>): void {
    if (this.deliverers.has(kind)) throw new Error(`OutboxDispatcher: a deliverer for "${kind}" is already registered`);
    this.deliverers.set(kind, { deliver: deliver as DeliverFn<unknown>, payload });
  }

  /** The kinds this node delivers. */
  get kinds(): string[] {
    return [...this.deliverers.keys()];
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Something was enqueued (same process): look now rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops leasing and waits for the deliveries in flight (each bounded by the delivery timeout). */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let worked = 0;
      this.woken = false;
      try {
        worked = await this.runOnce();
        if (Date.now() >= this.nextPruneAt) {
          this.nextPruneAt = Date.now() + this.pruneIntervalMs;
          const pruned = await this.pruneDelivered();
          if (pruned > 0) this.o.log.info({ pruned }, 'outbox: pruned delivered messages');
        }
      } catch (err) {
        this.o.log.error({ err }, 'outbox dispatch error');
      }
      if (worked === 0 && this.running && !this.woken) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollIntervalMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = undefined;
      }
    }
  }

  /**
   * Deletes rows delivered more than keepDeliveredMs before `now` (their audit entries stay): the
   * table would otherwise grow by a row per decision and target forever, and a row may carry PHI
   * (NOTIFY_INCLUDE_PHI). Any node may run it; deleting a row twice is harmless. Returns the count.
   */
  async pruneDelivered(now = new Date()): Promise<number> {
    if (this.keepDeliveredMs <= 0) return 0;
    const { count } = await this.o.prisma.outboxMessage.deleteMany({
      where: { state: 'delivered', deliveredAt: { lt: new Date(now.getTime() - this.keepDeliveredMs) } },
    });
    return count;
  }

  /** One round: lease up to batchSize due rows and deliver them concurrently. Returns how many were attempted. */
  async runOnce(now = new Date()): Promise<number> {
    const leased = await this.lease(now);
    await Promise.all(leased.map((row) => this.deliverOne(row)));
    return leased.length;
  }

  private async lease(now: Date) {
    const kinds = this.kinds;
    if (kinds.length === 0) return [];
    const candidates = await this.o.prisma.outboxMessage.findMany({
      where: {
        kind: { in: kinds },
        OR: [
          { state: 'pending', nextAttemptAt: { lte: now } },
          { state: 'delivering', leaseUntil: { lt: now } },
        ],
      },
      orderBy: [{ nextAttemptAt: 'asc' }, { id: 'asc' }],
      take: this.batchSize,
      select: { id: true, kind: true, eventId: true, studyInstanceUid: true, payload: true, state: true, attempts: true, updatedAt: true, createdAt: true },
    });
    const leased: (typeof candidates)[number][] = [];
    for (const row of candidates) {
      // attempts rises on every lease, so of two nodes that read the same row only one matches.
      const { count } = await this.o.prisma.outboxMessage.updateMany({
        where: { id: row.id, state: row.state, attempts: row.attempts, updatedAt: row.updatedAt },
        data: { state: 'delivering', leaseOwner: this.owner, leaseUntil: new Date(now.getTime() + this.leaseMs), attempts: { increment: 1 } },
      });
      if (count === 1) leased.push({ ...row, attempts: row.attempts + 1 });
    }
    return leased;
  }

  private async deliverOne(row: { id: string; kind: string; eventId: string; studyInstanceUid: string | null; payload: unknown; attempts: number; createdAt: Date }): Promise<void> {
    const registered = this.deliverers.get(row.kind)!;
    const base = { id: row.id, kind: row.kind, eventId: row.eventId, studyInstanceUid: row.studyInstanceUid, attempts: row.attempts };
    let payload = row.payload;
    if (registered.payload) {
      const parsed = registered.payload.safeParse(row.payload);
      if (!parsed.success) {
        await this.record(base, { ok: false, permanent: true, error: `OUTBOX_PAYLOAD_INVALID: ${parsed.error.message}` });
        return;
      }
      payload = parsed.data;
    }
    const signal = AbortSignal.timeout(this.deliveryTimeoutMs);
    try {
      const note = await registered.deliver({ id: row.id, kind: row.kind, eventId: row.eventId, studyInstanceUid: row.studyInstanceUid, payload, attempt: row.attempts, createdAt: row.createdAt }, signal);
      await this.record(base, { ok: true, note: note || null });
    } catch (err) {
      const message = signal.aborted && !isPermanentDeliveryError(err) ? `timed out after ${this.deliveryTimeoutMs} ms` : err instanceof Error ? err.message : String(err);
      await this.record(base, { ok: false, permanent: isPermanentDeliveryError(err), error: message });
    }
  }

  /** Writes an attempt's outcome, only while this node still holds the lease. */
  private async record(
    row: { id: string; kind: string; eventId: string; studyInstanceUid: string | null; attempts: number },
    result: { ok: true; note: string | null } | { ok: false; permanent: boolean; error: string },
  ): Promise<void> {
    const now = new Date();
    const held = { id: row.id, state: 'delivering' as const, leaseOwner: this.owner };
    const released = { leaseOwner: null, leaseUntil: null };
    let outcome: DeliveryOutcome;
    let count: number;
    if (result.ok) {
      ({ count } = await this.o.prisma.outboxMessage.updateMany({ where: held, data: { ...released, state: 'delivered', deliveredAt: now, lastError: null } }));
      outcome = { ...row, result: 'delivered', detail: result.note, nextAttemptAt: null };
    } else {
      const error = result.error.slice(0, MAX_ERROR_CHARS);
      const giveUp = result.permanent || row.attempts >= this.maxAttempts;
      const nextAttemptAt = giveUp ? null : new Date(now.getTime() + retryDelayMs(row.attempts, this.retry));
      ({ count } = await this.o.prisma.outboxMessage.updateMany({
        where: held,
        data: giveUp ? { ...released, state: 'failed', lastError: error } : { ...released, state: 'pending', lastError: error, nextAttemptAt: nextAttemptAt! },
      }));
      outcome = { ...row, result: giveUp ? 'failed' : 'retry', detail: error, nextAttemptAt };
    }
    if (count !== 1) {
      // The lease ran out mid-delivery and another node took the row: it delivers again (same eventId).
      this.o.log.warn({ outboxId: row.id, kind: row.kind }, 'outbox lease was taken over before the outcome was recorded');
      return;
    }
    const level = outcome.result === 'delivered' ? 'info' : outcome.result === 'retry' ? 'warn' : 'error';
    this.o.log[level]({ outboxId: row.id, kind: row.kind, eventId: row.eventId, attempts: row.attempts, result: outcome.result, detail: outcome.detail, nextAttemptAt: outcome.nextAttemptAt }, 'outbox delivery');
    try {
      await this.o.onOutcome?.(outcome);
    } catch (err) {
      this.o.log.error({ err, outboxId: row.id }, 'outbox outcome callback failed');
    }
  }
}
