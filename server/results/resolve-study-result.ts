import dcmjs from 'dcmjs';
import { AppError } from '@/lib/errors';
import type { DbClient } from '@/server/db';
import { parseDicom } from '@/server/dicom';
import type { DicomFileStore } from '@/server/files';
import { COPIED_ATTRIBUTES } from './result-study-modules';
import type { IchResult, ImageRef } from './ich-result';
import type { ResultSnapshot } from './study-result-snapshot';

/**
 * Completes a frozen result with what the SR refers to: every instance of the chosen series (its
 * SOP class read from each stored file, so no reference names a class the PACS does not hold),
 * and the patient and study attributes of the first one. Throws AppError NOT_FOUND (study or
 * series gone) or STUDY_FILES_PURGED (retention deleted the images: nothing left to refer to).
 */
export async function resolveStudyResult(prisma: DbClient, files: DicomFileStore, snapshot: ResultSnapshot, reason?: string): Promise<IchResult> {
  const study = await prisma.study.findUnique({ where: { id: snapshot.studyId }, select: { filesPurgedAt: true } });
  if (!study) throw new AppError('NOT_FOUND', 'the study of this result no longer exists');
  if (study.filesPurgedAt) throw new AppError('STUDY_FILES_PURGED', 'the images of this study were deleted by the retention policy: the result cannot refer to them');
  const instances = await prisma.instance.findMany({
    where: { seriesId: snapshot.chosenSeriesId, decodeStatus: 'decoded' },
    orderBy: [{ slicePosition: 'asc' }, { InstanceNumber: 'asc' }],
    select: { SOPInstanceUID: true, storedPath: true, series: { select: { SeriesInstanceUID: true } } },
  });
  if (instances.length === 0) throw new AppError('NOT_FOUND', 'the analysed series of this study has no stored slices');
  const evidence: ImageRef[] = [];
  let patientStudy: Record<string, unknown> = {};
  for (const [i, inst] of instances.entries()) {
    const bytes = await files.read(inst.storedPath);
    const { header } = parseDicom(bytes, { headerOnly: true });
    evidence.push({ sopClassUid: header.sopClassUid ?? '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: inst.SOPInstanceUID, seriesInstanceUid: inst.series.SeriesInstanceUID });
    if (i === 0) patientStudy = readPatientStudy(bytes);
  }
  const bySop = new Map(evidence.map((e) => [e.sopInstanceUid, e]));
  return {
    studyInstanceUid: snapshot.studyInstanceUid,
    patientStudy,
    algorithm: snapshot.algorithm,
    finding: snapshot.finding,
    suspected: snapshot.suspected,
    keySlices: snapshot.keySlices.flatMap((k) => {
      const ref = bySop.get(k.sopInstanceUid);
      return ref ? [{ ...ref, label: k.label }] : [];
    }),
    evidence,
    decidedAt: new Date(snapshot.decidedAt),
    reason,
  };
}

/** The patient and study attributes of a stored instance, as dcmjs names them (pixel data not read). */
function readPatientStudy(bytes: Uint8Array): Record<string, unknown> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const dict = dcmjs.data.DicomMessage.readFile(buffer, { ignoreErrors: true, untilTag: '7FE00010' });
  const all = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  return Object.fromEntries(COPIED_ATTRIBUTES.filter((k) => all[k] !== undefined).map((k) => [k, all[k]]));
}
