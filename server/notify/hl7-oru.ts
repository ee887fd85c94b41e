import type { TriageEvent } from './triage-event';

const LABEL_TEXT: Record<string, string> = {
  any: 'Intracranial hemorrhage (any type)',
  epidural: 'Epidural hemorrhage',
  intraparenchymal: 'Intraparenchymal hemorrhage',
  intraventricular: 'Intraventricular hemorrhage',
  subarachnoid: 'Subarachnoid hemorrhage',
  subdural: 'Subdural hemorrhage',
};

/** HL7 v2 escaping of text in a field: the delimiters `|^~\&` become \F\ \S\ \R\ \E\ \T\; line breaks are dropped. */
export function hl7Escape(text: string): string {
  return text
    .replace(/\\/g, '\\E\\')
    .replace(/\|/g, '\\F\\')
    .replace(/\^/g, '\\S\\')
    .replace(/~/g, '\\R\\')
    .replace(/&/g, '\\T\\')
    .replace(/[\r\n]+/g, ' ');
}

/** An HL7 DTM (YYYYMMDDHHMMSS+0000) from an ISO time. */
function dtm(iso: string): string {
  return `${iso.slice(0, 19).replace(/\D/g, '')}+0000`;
}

/** The message control id (MSH-10, at most 20 characters): the first 20 hex digits of the event UUID, stable across retries. */
export function hl7ControlId(eventId: string): string {
  return eventId.replace(/-/g, '').slice(0, 20).toUpperCase();
}

/**
 * The decision as an HL7 v2.5.1 ORU^R01 (unsolicited observation result), result status P
 * (preliminary): OBR for the AI triage with the event UUID as filler order number, then one NM OBX
 * per finding ("any" and each suspected subtype: probability, abnormal flag A when positive), an
 * ST OBX with the reason in words and one with the Study Instance UID. The PID segment (patient ID,
 * name, birth date) only when NOTIFY_INCLUDE_PHI is on: the patient group is optional in ORU_R01.
 * Segments end with CR, as the standard says.
 */
export function hl7OruR01(event: TriageEvent, o: { sendingFacility?: string; now?: Date } = {}): string {
  const r = event.result;
  const at = dtm(event.occurredAt);
  const patient = event.study.patient;
  const segments = [
    `MSH|^~\\&|ICH-TRIAGE|${hl7Escape(o.sendingFacility ?? '')}|||${dtm((o.now ?? new Date()).toISOString())}||ORU^R01^ORU_R01|${hl7ControlId(event.eventId)}|P|2.5.1`,
    ...(patient?.id ? [`PID|1||${hl7Escape(patient.id)}^^^^MR||${hl7Escape(patient.name ?? '')}||${hl7Escape(patient.birthDate ?? '')}`] : []),
    `OBR|1||${event.eventId}^ICH-TRIAGE|ICH-AI^AI triage: intracranial hemorrhage^L|||${at}|||||||||||${hl7Escape(event.study.accessionNumber ?? '')}||||${at}||CT|P`,
  ];
  let n = 0;
  const obx = (type: string, code: string, text: string, value: string, units: string, flag: string) =>
    segments.push(`OBX|${++n}|${type}|${code}^${hl7Escape(text)}^L||${value}|${units}||${flag}|||P|||${at}`);
  obx('NM', 'ICH-ANY', `AI triage: ${LABEL_TEXT.any}`, r.probability === null ? '' : String(r.probability), '1^probability^UCUM', r.flagged ? 'A' : 'N');
  for (const s of r.suspectedSubtypes) obx('NM', `ICH-${s.abbreviation}`, `AI triage: ${LABEL_TEXT[s.label] ?? s.label} (${s.abbreviation})`, s.probability === null ? '' : String(s.probability), '1^probability^UCUM', 'A');
  obx('ST', 'ICH-REASON', 'Why', hl7Escape(`${r.outcome}: ${r.reason}. ${event.disclaimer}`), '', '');
  obx('ST', 'ICH-STUDY', 'Study Instance UID', hl7Escape(event.study.studyInstanceUid), '', '');
  return `${segments.join('\r')}\r`;
}
