import type { DbClient } from '@/server/db';
import { positionAlongNormal } from '@/server/dicom/slice-geometry';
import { enqueueJob } from '@/server/jobs';
import { movedInstanceConflict } from './check-sop-conflict';
import type { ReceivedInstance } from './ingest-service';

export interface RecordedInstance {
  studyId: string;
  instanceId: string;
  /** This slice is the first of its study: the study row was created now. */
  newStudy: boolean;
  /** A triaged or reviewed study was re-opened by this slice. */
  reopened: boolean;
  /** The instance was new or its content changed: analysis was queued. */
  queued: boolean;
}

/**
 * Records a stored instance and queues its analysis in ONE transaction, so after a crash either
 * both exist or neither does (and the sender, not yet answered, sends again). The same SOP
 * Instance UID with the same bytes changes nothing; with new bytes (in the same study, series and
 * patient: IngestService has checked the pixels) it is re-analysed. Throws DICOM_SOP_UID_CONFLICT
 * when the UID is recorded under another study, series or patient.
 */
export async function recordInstance(prisma: DbClient, received: ReceivedInstance, now = new Date()): Promise<RecordedInstance> {
  const { header: h, stored } = received;
  return prisma.$transaction(async (tx) => {
    // A SOP Instance UID names one image for good: re-sent under another study, series or patient
    // it is refused (the sender quarantines it), never moved. Checked in the transaction, so two
    // conflicting sends at once cannot both pass.
    const prior = await tx.instance.findUnique({
      where: { SOPInstanceUID: h.sopInstanceUid },
      select: { study: { select: { StudyInstanceUID: true, PatientID: true } }, series: { select: { SeriesInstanceUID: true } } },
    });
    if (prior) {
      if (prior.study.StudyInstanceUID !== h.studyInstanceUid) throw movedInstanceConflict('study');
      if (prior.series.SeriesInstanceUID !== h.seriesInstanceUid) throw movedInstanceConflict('series');
      if ((prior.study.PatientID ?? '') !== (h.patientId ?? '')) throw movedInstanceConflict('patient');
    }
    const existingStudy = await tx.study.findUnique({ where: { StudyInstanceUID: h.studyInstanceUid }, select: { id: true, status: true } });
    const study = await tx.study.upsert({
      where: { StudyInstanceUID: h.studyInstanceUid },
      create: {
        StudyInstanceUID: h.studyInstanceUid,
        PatientID: h.patientId ?? null,
        PatientName: h.patientName ?? null,
        PatientSex: h.patientSex ?? null,
        PatientAge: h.patientAge ?? null,
        AccessionNumber: h.accessionNumber ?? null,
        StudyDate: h.studyDate ?? null,
        receivedAt: now,
        lastSliceAt: now,
      },
      update: { lastSliceAt: now },
      select: { id: true, status: true, expectedSliceCount: true },
    });
    // The scanner's own slice count lets the study complete the moment its last slice is analysed,
    // instead of after the quiet period.
    const expected = h.imagesInAcquisition;
    if (expected && expected > 0 && expected <= 5000 && expected !== study.expectedSliceCount) {
      await tx.study.update({ where: { id: study.id }, data: { expectedSliceCount: Math.max(expected, study.expectedSliceCount ?? 0) } });
    }
    if (!existingStudy) {
      await tx.statusChange.create({ data: { studyId: study.id, from: null, to: 'receiving', at: now, reason: 'first slice received' } });
    }
    const series = await tx.series.upsert({
      where: { SeriesInstanceUID: h.seriesInstanceUid },
      create: {
        SeriesInstanceUID: h.seriesInstanceUid,
        studyId: study.id,
        SeriesNumber: h.seriesNumber ?? null,
        SeriesDescription: h.seriesDescription ?? null,
        Modality: h.modality ?? null,
        SliceThickness: h.sliceThickness ?? null,
        ConvolutionKernel: h.convolutionKernel ?? null,
        receivedAt: now,
        lastInstanceAt: now,
      },
      update: { lastInstanceAt: now, completedAt: null },
      select: { id: true },
    });

    const existing = await tx.instance.findUnique({ where: { SOPInstanceUID: h.sopInstanceUid }, select: { id: true, sha256: true } });
    if (existing && existing.sha256 === stored.sha256) {
      return { studyId: study.id, instanceId: existing.id, newStudy: false, reopened: false, queued: false };
    }
    const fields = {
      seriesId: series.id,
      studyId: study.id,
      InstanceNumber: h.instanceNumber ?? null,
      slicePosition: positionAlongNormal(h) ?? null,
      storedPath: stored.relativePath,
      sizeBytes: stored.size,
      sha256: stored.sha256,
      decodeStatus: 'pending' as const,
      decodeErrorCode: null,
      decodeErrorMessage: null,
      // What the header reading noticed (a re-sent file replaces it); bounded, a broken header can produce many.
      warnings: (received.warnings ?? []).slice(0, 20).map((w) => ({ code: w.code, message: w.message.slice(0, 300) })),
      receivedAt: now,
    };
    const instance = existing
      ? await tx.instance.update({ where: { id: existing.id }, data: fields, select: { id: true } })
      : await tx.instance.create({ data: { SOPInstanceUID: h.sopInstanceUid, ...fields }, select: { id: true } });
    if (existing) await tx.slicePrediction.deleteMany({ where: { instanceId: existing.id } });
    else await tx.series.update({ where: { id: series.id }, data: { instanceCount: { increment: 1 } } });

    await enqueueJob(tx, 'analyse-instance', { instanceId: instance.id, studyId: study.id, sha256: stored.sha256 }, now);

    // A slice arriving for a triaged study, or one under review, re-opens it: the result may change.
    // Reported and dismissed studies keep their status (a PACS re-send must not undo a report);
    // the slice is still analysed and the study's figures updated.
    const reopened = study.status === 'triaged' || study.status === 'in_review';
    if (reopened || study.status === 'analysing') {
      await tx.study.update({ where: { id: study.id }, data: { status: 'receiving', completedAt: null } });
      await tx.statusChange.create({ data: { studyId: study.id, from: study.status, to: 'receiving', at: now, reason: 'new slice received' } });
    }
    return { studyId: study.id, instanceId: instance.id, newStudy: !existingStudy, reopened, queued: true };
  }, RECORD_TRANSACTION);
}

/**
 * Prisma's defaults (2 s to get a connection, 5 s to run) fail slices on a loaded host: seen at load
 * 21, a 6.2 s transaction made a C-STORE fail. The sender is still waiting for its answer, so a
 * slower commit beats a failure it must retry.
 */
const RECORD_TRANSACTION = { maxWait: 10_000, timeout: 15_000 };
