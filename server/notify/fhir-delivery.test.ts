import { describe, expect, it } from 'vitest';
import type { OutboxDelivery } from '@/server/outbox';
import { startTestReceiver } from '@/test/support/http-receiver';
import { fhirDeliverer } from './fhir-deliverer';
import { fhirDiagnosticReport, FHIR_REPORT_CODE_TEXT } from './fhir-diagnostic-report';
import { fhirDiagnosticReportR4 } from './fhir-r4-shape';
import { RESEARCH_DISCLAIMER, triageEventId, triageEventSchema, type TriageEvent } from './triage-event';

const uid = '1.2.826.0.1.3680043.10.7';
const at = new Date(Date.UTC(2026, 11, 2, 3, 0, 0));

function event(o: Partial<TriageEvent['result']> = {}, phi = false): TriageEvent {
  return triageEventSchema.parse({
    schemaVersion: 1,
    eventId: triageEventId(uid, at),
    type: 'study.flagged',
    occurredAt: at.toISOString(),
    study: { studyInstanceUid: uid, url: `https://triage.example.org/studies/${uid}`, ...(phi ? { accessionNumber: 'ACC-1', patient: { id: 'PID-1', name: 'Doe^Jane', birthDate: '19520304' } } : {}) },
    result: {
      outcome: 'flagged',
      flagged: true,
      probability: 0.81,
      operatingPoint: { threshold: 0.2248, source: 'manifest', targetSensitivity: 0.95 },
      reason: 'any 0.81 ≥ 0.22, the point chosen for 95 % sensitivity',
      suspectedSubtypes: [{ label: 'epidural', abbreviation: 'EDH', probability: 0.42 }],
      probabilities: { any: 0.81, epidural: 0.42 },
      ...o,
    },
    model: { name: 'ich-resnet', version: '1.0.0' },
    disclaimer: RESEARCH_DISCLAIMER,
  });
}
const delivery = (payload: TriageEvent): OutboxDelivery<TriageEvent> => ({ id: 'm1', kind: 'fhir', eventId: `fhir:${payload.eventId}`, studyInstanceUid: uid, payload, attempt: 1, createdAt: at });

describe('the FHIR R4 DiagnosticReport', () => {
  it('is preliminary, coded "AI triage: intracranial hemorrhage", identified by the event UUID, with one contained Observation per finding', () => {
    const report = fhirDiagnosticReportR4.parse(fhirDiagnosticReport(event()));
    expect(report).toMatchObject({ resourceType: 'DiagnosticReport', status: 'preliminary', code: { text: FHIR_REPORT_CODE_TEXT } });
    expect(report.identifier).toEqual([{ system: 'urn:ietf:rfc:3986', value: `urn:uuid:${triageEventId(uid, at)}` }]);
    expect(report.imagingStudy).toEqual([{ identifier: { system: 'urn:ietf:rfc:3986', value: `urn:oid:${uid}` }, display: 'CT head' }]);
    expect(report.contained!.map((o) => [o.id, o.status, o.valueQuantity?.value, o.interpretation?.[0]?.coding?.[0]?.code])).toEqual([
      ['any', 'preliminary', 0.81, 'POS'],
      ['epidural', 'preliminary', 0.42, 'POS'],
    ]);
    expect(report.result).toEqual([{ reference: '#any' }, { reference: '#epidural' }]);
    expect(report.subject).toBeUndefined(); // no patient without NOTIFY_INCLUDE_PHI
    expect(JSON.stringify(report)).not.toContain('Doe^Jane');
  });

  it('references the patient by identifier only with PHI on; a not-analysable study has an Observation with no value', () => {
    expect(fhirDiagnosticReportR4.parse(fhirDiagnosticReport(event({}, true))).subject).toEqual({ identifier: { value: 'PID-1' }, display: 'Doe^Jane' });
    const none = fhirDiagnosticReportR4.parse(fhirDiagnosticReport(event({ outcome: 'not_analysable', flagged: false, probability: null, suspectedSubtypes: [], reason: 'not analysable: SERIES_NOT_HEAD' })));
    expect(none.contained).toHaveLength(1);
    expect(none.contained![0]).toMatchObject({ dataAbsentReason: { text: 'not analysable' }, interpretation: [{ coding: [{ code: 'NEG' }] }] });
    expect(none.contained![0]!.valueQuantity).toBeUndefined();
  });

  it('the shape check fails a report missing a required element, with an unknown element, or with a dangling contained reference', () => {
    const good = fhirDiagnosticReport(event());
    const { status: _status, ...noStatus } = good;
    expect(fhirDiagnosticReportR4.safeParse(noStatus).success).toBe(false);
    expect(fhirDiagnosticReportR4.safeParse({ ...good, code: {} }).success).toBe(false);
    expect(fhirDiagnosticReportR4.safeParse({ ...good, stauts: 'final' }).success).toBe(false);
    expect(fhirDiagnosticReportR4.safeParse({ ...good, result: [{ reference: '#nope' }] }).success).toBe(false);
    expect(fhirDiagnosticReportR4.safeParse({ ...good, status: 'draft' }).success).toBe(false);
  });

  it('is POSTed to <base>/DiagnosticReport as a conditional create with the bearer token; a 401 fails for good, a 503 is retried', async () => {
    let answer = 201;
    const receiver = await startTestReceiver(() => answer);
    try {
      const base = new URL('/fhir/r4/', receiver.url);
      const deliver = fhirDeliverer({ baseUrl: base, token: 'fhir-token-1' });
      expect(await deliver(delivery(event()), AbortSignal.timeout(10_000))).toBe('HTTP 201');
      const [req] = receiver.received;
      expect(req!.path).toBe('/fhir/r4/DiagnosticReport');
      expect(req!.headers['content-type']).toBe('application/fhir+json');
      expect(req!.headers.authorization).toBe('Bearer fhir-token-1');
      expect(req!.headers['if-none-exist']).toBe(`identifier=urn:ietf:rfc:3986|urn:uuid:${triageEventId(uid, at)}`);
      expect(fhirDiagnosticReportR4.safeParse(JSON.parse(req!.body.toString('utf8'))).success).toBe(true);
      answer = 401;
      await expect(deliver(delivery(event()), AbortSignal.timeout(10_000))).rejects.toMatchObject({ name: 'PermanentDeliveryError', message: 'the FHIR server answered HTTP 401 Unauthorized' });
      answer = 503;
      await expect(deliver(delivery(event()), AbortSignal.timeout(10_000))).rejects.toThrow(/HTTP 503/);
      await expect(deliver(delivery(event()), AbortSignal.timeout(10_000))).rejects.not.toMatchObject({ name: 'PermanentDeliveryError' });
    } finally {
      await receiver.close();
    }
  });
});
