import type { AuditService } from '@/server/audit';
import type { DeliveryOutcome } from './outbox-dispatcher';

/**
 * Journals a delivery's final outcome (delivered, or failed for good) against its study, so the
 * study's timeline shows where its alert and results went. Retries in between are in the logs and
 * the row's lastError, not the journal (a down receiver would otherwise write one entry per attempt).
 */
export async function auditOutboxOutcome(audit: Pick<AuditService, 'record'>, o: DeliveryOutcome): Promise<void> {
  if (o.result === 'retry') return;
  await audit.record({
    actor: null,
    action: o.result === 'delivered' ? 'outbox.delivered' : 'outbox.failed',
    target: o.studyInstanceUid ? { type: 'study', id: o.studyInstanceUid } : null,
    details: { kind: o.kind, eventId: o.eventId, attempts: o.attempts, ...(o.detail ? { outcome: o.detail.slice(0, 200) } : {}) },
  });
}
