export { NOTIFY_ENV, readNotifySettings, DEFAULT_NOTIFY_SETTINGS, type NotifySettings } from './notify-env';
export { notifyAfterDecision } from './notify-after-decision';
export { registerNotifiers } from './register-notifiers';
export { triageEventSchema, triageEventId, readTriageEvent, type TriageEvent } from './triage-event';
export { signWebhookBody, verifyWebhookSignature } from './sign-webhook';
export { webhookDeliverer, WEBHOOK_KIND } from './webhook-deliverer';
export { fhirDeliverer, FHIR_KIND } from './fhir-deliverer';
export { fhirDiagnosticReport } from './fhir-diagnostic-report';
export { fhirDiagnosticReportR4, fhirObservationR4 } from './fhir-r4-shape';
