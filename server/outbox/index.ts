export { enqueueOutbox, type OutboxInput, type OutboxTx } from './enqueue-outbox';
export { OutboxDispatcher, type DeliverFn, type DeliveryOutcome, type OutboxDelivery, type OutboxDispatcherOptions } from './outbox-dispatcher';
export { PermanentDeliveryError, isPermanentDeliveryError } from './delivery-error';
export { retryDelayMs, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-delay';
export { listOutbox, outboxSummary, retryOutboxMessage } from './outbox-admin';
export { auditOutboxOutcome } from './audit-outbox-outcome';
export { OutboxAdmin } from './outbox-admin-service';
