import type { AuditAction } from '@/lib/audit';
import type { DatabaseProvider, DbClient, Prisma } from '@/server/db';
import { GENESIS_HASH, hashAuditEvent } from './audit-hash';
import { canonicalJson, type JsonValue } from './canonical-json';

/** What an entry is about: a study (StudyInstanceUID), an account, a service token, a quarantined input. */
export type AuditTargetType = 'study' | 'user' | 'token' | 'quarantine';

/** Who did it: a person (user id and username) or a service account (`token:<name>`, no user id). */
export interface AuditActor {
  userId: string | null;
  username: string | null;
}

export interface AuditEventInput {
  actor: AuditActor | null;
  /** Client address of the request, when there was one. */
  ip?: string | null;
  action: AuditAction;
  target?: { type: AuditTargetType; id: string } | null;
  /** No patient identifiers and no free text here: free text lives beside the journal, hashed in. */
  details?: { [key: string]: JsonValue };
  at?: Date;
}

export interface AppendedAuditEvent {
  seq: number;
  hash: string;
}

/**
 * Any fixed 64-bit key: held by every appender for the rest of its transaction
 * (pg_advisory_xact_lock), distinct from the migration lock (72707369).
 */
const APPEND_LOCK_KEY = 72707370;

/** How long an append may wait for the journal's tail and run (ms). */
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 10_000 };

/**
 * The only writer of the audit journal. Each entry gets seq = last + 1 and prevHash = the last
 * entry's hash, and its own hash over both, so a changed, removed or reordered entry breaks the
 * chain (verify-audit-chain.ts).
 *
 * Appends are serialised so the chain never forks: reading the tail and inserting the next entry
 * happen in one transaction that holds the journal's lock until it commits.
 * - PostgreSQL: a transaction-scoped advisory lock, taken before the tail is read. Locking the tail
 *   row `FOR UPDATE` would not do: the next tail is a new row, so a second appender that waited on
 *   the old one wakes up, re-reads that same row and computes the same seq (under READ COMMITTED),
 *   and a retry on the primary-key conflict would have to replay the caller's whole transaction
 *   (PostgreSQL aborts it at the first error). The lock serialises every process on the database.
 * - SQLite: the driver adapter runs one transaction at a time per client (a mutex held to commit);
 *   across processes the append takes the file's write lock before reading the tail. The primary
 *   key on seq refuses a fork regardless.
 *
 * `append(event, tx)` writes inside a caller's transaction, so an action and its entry commit or
 * roll back together.
 */
export class AuditLog {
  constructor(
    private readonly prisma: DbClient,
    private readonly provider: DatabaseProvider,
  ) {}

  /** Appends one entry, in `tx` when given (the caller's transaction), else in its own. */
  async append(event: AuditEventInput, tx?: Prisma.TransactionClient): Promise<AppendedAuditEvent> {
    if (tx) return this.appendIn(tx, event);
    return this.prisma.$transaction((t) => this.appendIn(t, event), TRANSACTION_OPTIONS);
  }

  /** Runs `work` in a transaction suited to appending (longer waits than Prisma's defaults). */
  transaction<T>(work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work, TRANSACTION_OPTIONS);
  }

  private async appendIn(tx: Prisma.TransactionClient, event: AuditEventInput): Promise<AppendedAuditEvent> {
    if (this.provider === 'postgresql') await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${APPEND_LOCK_KEY})`);
    // SQLite: a write that touches no row takes the file's write lock now, before the tail is read,
    // so another process appending waits for it instead of reading the same tail (no row, no trigger).
    else await tx.$executeRawUnsafe('UPDATE "AuditEvent" SET "seq" = "seq" WHERE 0');
    const last = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
    const fields = {
      seq: (last?.seq ?? 0) + 1,
      at: event.at ?? new Date(),
      actorUserId: event.actor?.userId ?? null,
      actorUsername: event.actor?.username ?? null,
      ip: event.ip ?? null,
      action: event.action,
      targetType: event.target?.type ?? null,
      targetId: event.target?.id ?? null,
      details: canonicalJson(event.details ?? {}),
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const hash = hashAuditEvent(fields);
    await tx.auditEvent.create({ data: { ...fields, hash } });
    return { seq: fields.seq, hash };
  }
}
