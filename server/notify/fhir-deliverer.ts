import type { DeliverFn } from '@/server/outbox';
import { PermanentDeliveryError } from '@/server/outbox';
import { fhirDiagnosticReport, URI_SYSTEM } from './fhir-diagnostic-report';
import { fhirDiagnosticReportR4 } from './fhir-r4-shape';
import { httpOutcome, sendOrExplain } from './http-outcome';
import type { TriageEvent } from './triage-event';

export const FHIR_KIND = 'fhir';

/**
 * POSTs the decision's DiagnosticReport to `<base>/DiagnosticReport` as a conditional create
 * (`If-None-Exist: identifier=urn:ietf:rfc:3986|urn:uuid:<eventId>`): a retry after a lost answer
 * does not make a second report on a server that supports it (most do; 200 then means "already there").
 * The report is checked against the R4 shapes first: one we would emit wrongly fails for good.
 */
export function fhirDeliverer(o: { baseUrl: URL; token: string | undefined; fetch?: typeof fetch }): DeliverFn<TriageEvent> {
  const send = o.fetch ?? fetch;
  const url = new URL(`${o.baseUrl.pathname.replace(/\/+$/, '')}/DiagnosticReport`, o.baseUrl);
  return async (message, signal) => {
    const report = fhirDiagnosticReport(message.payload);
    const checked = fhirDiagnosticReportR4.safeParse(report);
    if (!checked.success) throw new PermanentDeliveryError(`FHIR_REPORT_INVALID: ${checked.error.message}`.slice(0, 500));
    const res = await sendOrExplain('the FHIR server', () => send(url, {
      method: 'POST',
      redirect: 'manual',
      signal,
      headers: {
        'content-type': 'application/fhir+json',
        accept: 'application/fhir+json',
        'if-none-exist': `identifier=${URI_SYSTEM}|urn:uuid:${message.payload.eventId}`,
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      },
      body: JSON.stringify(report),
    }));
    await res.body?.cancel();
    return httpOutcome('the FHIR server', res.status, res.statusText);
  };
}
