import { z } from 'zod';
import { isAppError } from '@/lib/errors';
import type { DbClient, Prisma } from '@/server/db';
import type { DicomFileStore } from '@/server/files';
import { enqueueOutbox, PermanentDeliveryError, type DeliverFn } from '@/server/outbox';
import { buildIchSr, COMPREHENSIVE_SR, type ResultSoftware } from './build-ich-sr';
import { renderResultSc } from './render-result-sc';
import { resolveStudyResult } from './resolve-study-result';
import { resultUid } from './result-uid';
import { sendDicomResult, type ResultsTargets } from './send-dicom-result';
import { resultSnapshotSchema, snapshotStudyResult } from './study-result-snapshot';

/** The outbox kind of AI results sent as DICOM. */
export const DICOM_RESULTS_KIND = 'dicom-results';

const uidRef = z.object({ seriesInstanceUid: z.string().min(1), sopInstanceUid: z.string().min(1) });

/** What a dicom-results message holds: the frozen decision and the UIDs its SR is written under. */
export const dicomResultsPayloadSchema = z.object({
  snapshot: resultSnapshotSchema,
  sr: uidRef.extend({ instanceNumber: z.number().int().min(1) }),
  /** The SR this one replaces (the study's previous result). */
  predecessor: uidRef.optional(),
  reason: z.string().max(200).optional(),
});
export type DicomResultsPayload = z.infer<typeof dicomResultsPayloadSchema>;

type Tx = Pick<Prisma.TransactionClient, 'study' | 'slicePrediction' | 'outboxMessage'>;

/** A decision just written (server/triage/finalise-study.ts DecidedStudy: the fields used here). */
export interface DecidedStudyRef {
  studyId: string;
  studyInstanceUid: string;
  outcome: string;
  decidedAt: Date;
}

/**
 * Queues a study's result as a DICOM SR, inside the transaction that decided it (the triage hook,
 * server/triage AfterDecision). A study with nothing to report (not analysable) queues nothing.
 * A study that already had a result gets a new SR that names the previous one as its predecessor.
 */
export async function enqueueDicomResult(tx: Tx, decided: DecidedStudyRef): Promise<void> {
  await enqueueResult(tx, decided.studyId, `${DICOM_RESULTS_KIND}:${decided.studyInstanceUid}:${decided.decidedAt.getTime()}`);
}

/**
 * Queues an updated result for a study whose result changed outside triage (a clinician disagreed):
 * the SR carries `reason` and names the previous SR. `eventKey` makes it idempotent (e.g. the feedback id).
 */
export async function enqueueUpdatedDicomResult(tx: Tx, studyId: string, studyInstanceUid: string, eventKey: string, reason: string): Promise<void> {
  await enqueueResult(tx, studyId, `${DICOM_RESULTS_KIND}:${studyInstanceUid}:${eventKey}`, reason);
}

/**
 * The study-action hook (server/triage/study-actions.ts afterDisagreement): a clinician's
 * disagreement goes to the PACS as an updated SR that names the previous one and says why.
 */
export async function enqueueResultAfterDisagreement(tx: Tx, disagreed: { studyId: string; studyInstanceUid: string; feedbackId: string }): Promise<void> {
  await enqueueUpdatedDicomResult(tx, disagreed.studyId, disagreed.studyInstanceUid, `feedback:${disagreed.feedbackId}`, DISAGREEMENT_REASON);
}

/** What an SR sent after a disagreement says (not the clinician's comment: free text stays here). */
export const DISAGREEMENT_REASON = 'updated result: a clinician disagreed with this AI result (the result itself is unchanged)';

async function enqueueResult(tx: Tx, studyId: string, eventId: string, reason?: string): Promise<void> {
  const snapshot = await snapshotStudyResult(tx, studyId);
  if (!snapshot) return;
  if (await tx.outboxMessage.findUnique({ where: { eventId }, select: { id: true } })) return;
  const previous = await tx.outboxMessage.findFirst({
    where: { kind: DICOM_RESULTS_KIND, studyInstanceUid: snapshot.studyInstanceUid },
    orderBy: { createdAt: 'desc' },
    select: { payload: true },
  });
  const before = dicomResultsPayloadSchema.safeParse(previous?.payload);
  const payload: DicomResultsPayload = {
    snapshot,
    // Derived from the event: a retried or re-enqueued delivery writes the same SR, never a second.
    sr: { seriesInstanceUid: resultUid(`${eventId}:series`), sopInstanceUid: resultUid(`${eventId}:sop`), instanceNumber: before.success ? before.data.sr.instanceNumber + 1 : 1 },
    ...(before.success ? { predecessor: { seriesInstanceUid: before.data.sr.seriesInstanceUid, sopInstanceUid: before.data.sr.sopInstanceUid } } : {}),
    ...(reason ? { reason } : before.success ? { reason: 'updated result: the study was analysed again' } : {}),
  };
  await enqueueOutbox(tx, { kind: DICOM_RESULTS_KIND, eventId, studyInstanceUid: snapshot.studyInstanceUid, payload });
}

/**
 * The outbox deliverer of dicom-results messages: builds the SR (images and patient attributes
 * read now, the decision as frozen) and sends it to every configured target.
 */
export function dicomResultsDeliverer(deps: { prisma: DbClient; files: DicomFileStore; targets: ResultsTargets; software: ResultSoftware }): DeliverFn<DicomResultsPayload> {
  return async (message, signal) => {
    const p = message.payload;
    let result;
    try {
      result = await resolveStudyResult(deps.prisma, deps.files, p.snapshot, p.reason);
    } catch (err) {
      // The study or its images are gone for good: no retry brings them back.
      if (isAppError(err) && (err.code === 'NOT_FOUND' || err.code === 'STUDY_FILES_PURGED')) throw new PermanentDeliveryError(`${err.code}: ${err.message}`);
      throw err;
    }
    const predecessor = p.predecessor ? { ...p.predecessor, sopClassUid: COMPREHENSIVE_SR } : undefined;
    const sr = buildIchSr(result, { ...p.sr, predecessor }, deps.software);
    // The picture's UIDs follow from the SR's, so a retry replaces it too.
    let sc: Uint8Array | undefined;
    let scSkipped = '';
    if (deps.targets.secondaryCapture !== false) {
      try {
        sc = await renderResultSc(deps, result, { seriesInstanceUid: resultUid(`${p.sr.sopInstanceUid}:sc-series`), sopInstanceUid: resultUid(`${p.sr.sopInstanceUid}:sc`), instanceNumber: p.sr.instanceNumber }, deps.software);
      } catch (err) {
        // The picture is optional; the SR is the result. A slice that cannot be drawn does not hold it back.
        if (!isAppError(err)) throw err;
        scSkipped = ` (no SC: ${err.code})`;
      }
    }
    const what = sc ? `SR ${p.sr.sopInstanceUid} and key-slice SC` : `SR ${p.sr.sopInstanceUid}${scSkipped}`;
    return `${what}: ${await sendDicomResult(sc ? [sr, sc] : [sr], deps.targets, signal)}`;
  };
}
