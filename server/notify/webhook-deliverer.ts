import type { DeliverFn } from '@/server/outbox';
import { httpOutcome, sendOrExplain } from './http-outcome';
import { signWebhookBody } from './sign-webhook';
import type { TriageEvent } from './triage-event';

export const WEBHOOK_KIND = 'webhook';

/**
 * POSTs the event as JSON, signed: `X-ICH-Signature: sha256=<hex HMAC-SHA256 of the raw body>`
 * with NOTIFY_WEBHOOK_SECRET, `X-ICH-Event-Id` (stable across retries: receivers dedupe on it),
 * `X-ICH-Timestamp` (this attempt, Unix seconds) and `X-ICH-Delivery-Attempt`. The body is the
 * same bytes on every attempt, so a replayed request is one the receiver has already deduplicated.
 */
export function webhookDeliverer(o: { url: URL; secret: string; fetch?: typeof fetch }): DeliverFn<TriageEvent> {
  const send = o.fetch ?? fetch;
  return async (message, signal) => {
    const body = JSON.stringify(message.payload);
    const res = await sendOrExplain('the webhook receiver', () => send(o.url, {
      method: 'POST',
      redirect: 'manual',
      signal,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'ich-triage-webhook/1',
        'x-ich-event-id': message.payload.eventId,
        'x-ich-event-type': message.payload.type,
        'x-ich-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-ich-delivery-attempt': String(message.attempt),
        'x-ich-signature': signWebhookBody(o.secret, body),
      },
      body,
    }));
    await res.body?.cancel(); // the answer's body is not read (nor logged)
    return httpOutcome('the webhook receiver', res.status, res.statusText);
  };
}
