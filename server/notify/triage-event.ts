import { createHash } from 'node:crypto';
import { z } from 'zod';
import { LABELS, SUBTYPE_ABBREVIATIONS, SUBTYPES } from '@/lib/labels';
import { flagReason, parseStudyDecision } from '@/lib/study-decision';
import type { Prisma } from '@/server/db';
import type { DecidedStudy } from '@/server/triage/finalise-study';

const probability = z.number().min(0).max(1);

/**
 * The event an alert carries (webhook body, FHIR report source): the external contract, so it is
 * versioned by `schemaVersion` and every field is named here. Patient identifiers only when
 * NOTIFY_INCLUDE_PHI is on; the study UID always (it is how PACS, RIS and viewers find the study).
 */
export const triageEventSchema = z.object({
  schemaVersion: z.literal(1),
  /** Stable per decision (a UUID derived from study UID and decision time): receivers dedupe on it. */
  eventId: z.uuid(),
  /** `study.flagged`: suspected hemorrhage; `study.triaged`: any other decision (not flagged, not analysable). */
  type: z.enum(['study.flagged', 'study.triaged']),
  occurredAt: z.iso.datetime(),
  study: z.object({
    studyInstanceUid: z.string().min(1),
    /** The study page (PUBLIC_URL + /studies/<uid>); null when PUBLIC_URL is unset. */
    url: z.url().nullable(),
    accessionNumber: z.string().nullable().optional(),
    patient: z.object({ id: z.string().nullable(), name: z.string().nullable(), birthDate: z.string().nullable() }).optional(),
  }),
  result: z.object({
    outcome: z.enum(['flagged', 'not_flagged', 'not_analysable']),
    flagged: z.boolean(),
    /** Study-level "any" probability; null when not analysable. */
    probability: probability.nullable(),
    /** The study-level "any" point the flag was decided by. */
    operatingPoint: z.object({ threshold: probability, source: z.string(), targetSensitivity: probability.optional() }).nullable(),
    /** Why, in words (the same sentence the study page shows), or why it could not be analysed. */
    reason: z.string(),
    /** Subtypes above their own study point on a flagged study. */
    suspectedSubtypes: z.array(z.object({ label: z.enum(SUBTYPES as unknown as [string, ...string[]]), abbreviation: z.string(), probability: probability.nullable() })),
    probabilities: z.record(z.string(), probability.nullable()),
  }),
  model: z.object({ name: z.string().nullable(), version: z.string().nullable() }),
  /** Reminder for every receiver: the model is a research model. */
  disclaimer: z.string(),
});
export type TriageEvent = z.infer<typeof triageEventSchema>;

export const RESEARCH_DISCLAIMER = 'AI research result: not for diagnosis; a clinician must review the images.';

/** A deterministic UUID (v5 layout) from the study and the decision time: the same decision always has the same id. */
export function triageEventId(studyInstanceUid: string, decidedAt: Date): string {
  const h = createHash('sha256').update(`ich-triage-event\u0000${studyInstanceUid}\u0000${decidedAt.getTime()}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The study page of a study, when the public origin is known. */
export function studyPageUrl(publicUrl: URL | undefined, studyInstanceUid: string): string | null {
  return publicUrl ? new URL(`/studies/${encodeURIComponent(studyInstanceUid)}`, publicUrl).toString() : null;
}

/** Reads the decided study inside the decision's transaction and builds its event. */
export async function readTriageEvent(tx: Pick<Prisma.TransactionClient, 'study'>, decided: DecidedStudy, o: { publicUrl: URL | undefined; includePhi: boolean }): Promise<TriageEvent> {
  const s = await tx.study.findUniqueOrThrow({ where: { id: decided.studyId } });
  const decision = parseStudyDecision(s.decisionPoint);
  const probabilities = Object.fromEntries(LABELS.map((l) => [l, l === 'any' ? s.anyProbability : s[`${l}Probability`]]));
  const suspected = decided.flagged ? SUBTYPES.filter((l) => s[`${l}Flagged`]) : [];
  return {
    schemaVersion: 1,
    eventId: triageEventId(s.StudyInstanceUID, decided.decidedAt),
    type: decided.flagged ? 'study.flagged' : 'study.triaged',
    occurredAt: decided.decidedAt.toISOString(),
    study: {
      studyInstanceUid: s.StudyInstanceUID,
      url: studyPageUrl(o.publicUrl, s.StudyInstanceUID),
      ...(o.includePhi ? { accessionNumber: s.AccessionNumber, patient: { id: s.PatientID, name: s.PatientName, birthDate: s.PatientBirthDate } } : {}),
    },
    result: {
      outcome: decided.outcome,
      flagged: decided.flagged,
      probability: decided.outcome === 'not_analysable' ? null : s.anyProbability,
      operatingPoint: decision ? { threshold: decision.threshold, source: decision.source, ...(decision.targetSensitivity !== undefined ? { targetSensitivity: decision.targetSensitivity } : {}) } : null,
      reason: decided.outcome === 'not_analysable' ? `not analysable: ${decided.reason}` : flagReason(s.anyProbability, decision),
      suspectedSubtypes: suspected.map((l) => ({ label: l, abbreviation: SUBTYPE_ABBREVIATIONS[l], probability: s[`${l}Probability`] })),
      probabilities,
    },
    model: { name: s.modelName, version: s.modelVersion },
    disclaimer: RESEARCH_DISCLAIMER,
  };
}
