import { SUBTYPE_ABBREVIATIONS } from '@/lib/labels';
import type { TriageEvent } from './triage-event';

const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const DIAGNOSTIC_SERVICE = 'http://terminology.hl7.org/CodeSystem/v2-0074';
/** An identifier that is a URI (our event UUID as urn:uuid:…). */
export const URI_SYSTEM = 'urn:ietf:rfc:3986';
export const FHIR_REPORT_CODE_TEXT = 'AI triage: intracranial hemorrhage';

const LABEL_TEXT: Record<string, string> = {
  any: 'Intracranial hemorrhage (any type)',
  epidural: 'Epidural hemorrhage',
  intraparenchymal: 'Intraparenchymal hemorrhage',
  intraventricular: 'Intraventricular hemorrhage',
  subarachnoid: 'Subarachnoid hemorrhage',
  subdural: 'Subdural hemorrhage',
};

type Json = Record<string, unknown>;

function observation(id: string, label: string, probability: number | null, positive: boolean, event: TriageEvent, note: string): Json {
  return {
    resourceType: 'Observation',
    id,
    status: 'preliminary',
    category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'imaging', display: 'Imaging' }] }],
    code: { text: `AI triage: ${LABEL_TEXT[label] ?? label}${label === 'any' ? '' : ` (${SUBTYPE_ABBREVIATIONS[label as keyof typeof SUBTYPE_ABBREVIATIONS]})`}` },
    effectiveDateTime: event.occurredAt,
    issued: event.occurredAt,
    ...(probability === null ? { dataAbsentReason: { text: 'not analysable' } } : { valueQuantity: { value: probability, unit: 'probability', system: 'http://unitsofmeasure.org', code: '1' } }),
    interpretation: [{ coding: [{ system: INTERPRETATION, code: positive ? 'POS' : 'NEG', display: positive ? 'Positive' : 'Negative' }], text: positive ? 'suspected' : 'not suspected' }],
    device: { display: `${event.model.name ?? 'model'} ${event.model.version ?? ''}`.trim() },
    note: [{ text: note }],
  };
}

/**
 * The decision as a FHIR R4 DiagnosticReport, status preliminary (an AI result awaiting a
 * radiologist), with one contained Observation per finding: "any" (its probability, positive when
 * flagged) and each suspected subtype. Identifier: the event UUID, so a conditional create
 * (If-None-Exist) makes a retried POST a no-op. The study is referenced by its DICOM UID
 * (logical reference), the patient only when NOTIFY_INCLUDE_PHI is on.
 */
export function fhirDiagnosticReport(event: TriageEvent): Json {
  const r = event.result;
  const observations = [
    observation('any', 'any', r.probability, r.flagged, event, r.reason),
    ...r.suspectedSubtypes.map((s) => observation(s.label, s.label, s.probability, true, event, `suspected ${s.abbreviation} above its own study point`)),
  ];
  const patient = event.study.patient;
  return {
    resourceType: 'DiagnosticReport',
    identifier: [{ system: URI_SYSTEM, value: `urn:uuid:${event.eventId}` }],
    status: 'preliminary',
    category: [{ coding: [{ system: DIAGNOSTIC_SERVICE, code: 'RAD', display: 'Radiology' }] }],
    code: { text: FHIR_REPORT_CODE_TEXT },
    ...(patient?.id ? { subject: { identifier: { value: patient.id }, ...(patient.name ? { display: patient.name } : {}) } } : {}),
    effectiveDateTime: event.occurredAt,
    issued: event.occurredAt,
    imagingStudy: [{ identifier: { system: URI_SYSTEM, value: `urn:oid:${event.study.studyInstanceUid}` }, display: 'CT head' }],
    contained: observations,
    result: observations.map((o) => ({ reference: `#${String(o.id)}` })),
    conclusion: `${r.outcome === 'flagged' ? 'Flagged: suspected intracranial hemorrhage' : r.outcome === 'not_flagged' ? 'Not flagged' : 'Not analysable'}. ${r.reason}. ${event.disclaimer}`,
    ...(event.study.url ? { presentedForm: [{ contentType: 'text/html', url: event.study.url, title: 'Study in the triage worklist' }] } : {}),
  };
}
