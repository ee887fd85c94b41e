import { enqueueOutbox } from '@/server/outbox';
import type { AfterDecision } from '@/server/triage/finalise-study';
import { FHIR_KIND } from './fhir-deliverer';
import { HL7_KIND } from './hl7-deliverer';
import type { NotifySettings } from './notify-env';
import { readTriageEvent } from './triage-event';
import { WEBHOOK_KIND } from './webhook-deliverer';

/**
 * The triage hook that queues the alerts a decision calls for, in the decision's own transaction:
 * a webhook event (flagged studies, or every decision with NOTIFY_WEBHOOK_EVENTS=triaged) and a
 * FHIR report and an HL7 v2 ORU^R01, each as configured. A study already reported, dismissed or in review is not announced again (its
 * figures were brought up to date; the people concerned already have it). Undefined when no target is set.
 */
export function notifyAfterDecision(settings: NotifySettings, publicUrl: URL | undefined): AfterDecision | undefined {
  const targets = [
    settings.webhook && { kind: WEBHOOK_KIND, events: settings.webhook.events },
    settings.fhir && { kind: FHIR_KIND, events: settings.fhir.events },
    settings.hl7 && { kind: HL7_KIND, events: settings.hl7.events },
  ].filter((t) => t !== undefined);
  if (targets.length === 0) return undefined;
  return async (tx, decided) => {
    if (decided.statusKept) return;
    const wanted = targets.filter((t) => t.events === 'triaged' || decided.flagged);
    if (wanted.length === 0) return;
    const event = await readTriageEvent(tx, decided, { publicUrl, includePhi: settings.includePhi });
    for (const t of wanted) {
      await enqueueOutbox(tx, { kind: t.kind, eventId: `${t.kind}:${event.eventId}`, studyInstanceUid: decided.studyInstanceUid, payload: event });
    }
  };
}
