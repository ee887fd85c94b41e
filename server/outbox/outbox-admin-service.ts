import type { OutboxState, OutboxView } from '@/lib/outbox';
import type { AuditService } from '@/server/audit';
import type { AuditActor } from '@/server/audit/audit-log';
import type { DbClient } from '@/server/db';
import { listOutbox, outboxSummary, retryOutboxMessage } from './outbox-admin';

/** The admin API's view of the outbox (GET /api/outbox, POST /api/outbox/{id}/retry), on a web node. */
export class OutboxAdmin {
  constructor(
    private readonly prisma: DbClient,
    private readonly audit: Pick<AuditService, 'record'>,
  ) {}

  /** The summary and the newest rows (optionally of one state); never the payloads. */
  async view(filter: { state?: OutboxState | undefined; limit: number }): Promise<OutboxView> {
    const [summary, rows] = await Promise.all([outboxSummary(this.prisma), listOutbox(this.prisma, filter)]);
    return { summary, rows };
  }

  /** Makes a failed or waiting message due now (a worker delivers it within its poll), journaled. */
  async retry(actor: AuditActor & { ip: string | null }, id: string): Promise<{ id: string; state: 'pending' }> {
    const r = await retryOutboxMessage(this.prisma, id);
    await this.audit.record({
      actor: { userId: actor.userId, username: actor.username },
      ip: actor.ip,
      action: 'outbox.retried',
      target: r.studyInstanceUid ? { type: 'study', id: r.studyInstanceUid } : null,
      details: { kind: r.kind, eventId: r.eventId, previousState: r.previousState, attemptsBefore: r.attempts },
    });
    return { id, state: 'pending' };
  }
}
