import type { AuditService } from '@/server/audit';
import type { DbClient } from '@/server/db';
import type { Logger } from '@/server/logging';
import type { NotifySettings } from '@/server/notify/notify-env';
import { notifyAfterDecision } from '@/server/notify/notify-after-decision';
import { registerNotifiers } from '@/server/notify/register-notifiers';
import type { AfterDecision } from '@/server/triage/finalise-study';
import { auditOutboxOutcome } from './audit-outbox-outcome';
import { OutboxDispatcher } from './outbox-dispatcher';

/**
 * A worker node's outbox: the dispatcher with the configured senders (webhook, FHIR) registered,
 * each outcome audited, and the triage hooks that enqueue them. Other senders (DICOM results)
 * register on `dispatcher` and add their hook to `afterDecision` before `dispatcher.start()`.
 */
export function createOutbox(o: { prisma: DbClient; log: Logger; audit: Pick<AuditService, 'record'>; notify: NotifySettings; publicUrl: URL | undefined }): { dispatcher: OutboxDispatcher; afterDecision: AfterDecision[] } {
  const dispatcher = new OutboxDispatcher({
    prisma: o.prisma,
    log: o.log,
    maxAttempts: o.notify.outbox.maxAttempts,
    retry: o.notify.outbox.retry,
    deliveryTimeoutMs: o.notify.outbox.deliveryTimeoutMs,
    keepDeliveredMs: o.notify.outbox.keepDeliveredMs,
    onOutcome: (outcome) => auditOutboxOutcome(o.audit, outcome),
  });
  registerNotifiers(dispatcher, o.notify);
  const notify = notifyAfterDecision(o.notify, o.publicUrl);
  if ((o.notify.webhook || o.notify.fhir || o.notify.hl7) && !o.publicUrl) o.log.warn('PUBLIC_URL is unset: alerts carry no link to the study page');
  return { dispatcher, afterDecision: notify ? [notify] : [] };
}
