import type { OutboxDispatcher } from '@/server/outbox';
import { FHIR_KIND, fhirDeliverer } from './fhir-deliverer';
import { HL7_KIND, hl7Deliverer } from './hl7-deliverer';
import type { NotifySettings } from './notify-env';
import { triageEventSchema } from './triage-event';
import { WEBHOOK_KIND, webhookDeliverer } from './webhook-deliverer';

/** Registers the webhook, FHIR and HL7 v2 senders that are configured on a node's outbox dispatcher. */
export function registerNotifiers(outbox: OutboxDispatcher, settings: NotifySettings): void {
  if (settings.webhook) outbox.registerDeliverer(WEBHOOK_KIND, webhookDeliverer(settings.webhook), triageEventSchema);
  if (settings.fhir) outbox.registerDeliverer(FHIR_KIND, fhirDeliverer(settings.fhir), triageEventSchema);
  if (settings.hl7) outbox.registerDeliverer(HL7_KIND, hl7Deliverer(settings.hl7), triageEventSchema);
}
