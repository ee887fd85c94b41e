import dcmjs from 'dcmjs';
import { AppError } from '@/lib/errors';
import { LABELS, type Label } from '@/lib/labels';
import { IMPLEMENTATION_CLASS_UID } from '@/server/ingest/dimse/part10';
import { item, type ContentItem } from './dcmjs-sr';
import type { IchResult, ImageRef, ResultDocumentIds } from './ich-result';
import { resultUid } from './result-uid';
import { dicomDate, dicomTime, studyAndPatientModules } from './result-study-modules';
import { CODES, FINDING_CODES } from './sr-codes';

export const COMPREHENSIVE_SR = '1.2.840.10008.5.1.4.1.1.88.33';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** The series number our results use (high, so a PACS lists them after the scanner's series). */
export const RESULT_SR_SERIES_NUMBER = 9901;
/** What every result says of itself, in the document and burned into the secondary capture. */
export const RESEARCH_DISCLAIMER = 'AI research result — not for diagnosis';


/** Software identity written in the document (General Equipment, device observer). */
export interface ResultSoftware {
  manufacturer: string;
  softwareVersion: string;
  /** Our AE title (DICOM_AE_TITLE): the device observer's name. */
  aeTitle: string;
}

// DS holds 16 characters: 6 decimals of a probability say more than the model knows.
const ds = (v: number) => Math.round(v * 1e6) / 1e6;

/**
 * Writes a study's AI result as a Comprehensive SR (Part-10 bytes, Explicit VR Little Endian)
 * laid out like a TID 1500 measurement report in the spirit of IHE AI Results: the algorithm, the
 * study-level intracranial hemorrhage finding with its probability, the operating point in force
 * and whether it flagged the study, each suspected subtype, and the key slices as IMAGE items,
 * with the study's own patient and study attributes so the PACS files it in the same study.
 * Throws AppError VALIDATION_FAILED on a result it cannot describe truthfully.
 */
export function buildIchSr(result: IchResult, ids: ResultDocumentIds, software: ResultSoftware, now = new Date()): Uint8Array {
  checkResult(result);
  const root = item.container(CODES.imagingMeasurementReport, undefined, [
    item.code(CODES.language, 'HAS CONCEPT MOD', CODES.englishUs),
    item.code(CODES.observerType, 'HAS OBS CONTEXT', CODES.device),
    item.uid(CODES.deviceObserverUid, 'HAS OBS CONTEXT', resultUid(`device:${software.aeTitle}`)),
    item.text(CODES.deviceObserverName, 'HAS OBS CONTEXT', software.aeTitle),
    item.text(CODES.deviceObserverManufacturer, 'HAS OBS CONTEXT', software.manufacturer),
    item.text(CODES.comment, 'CONTAINS', RESEARCH_DISCLAIMER),
    ...(result.reason ? [item.text(CODES.resultStatus, 'CONTAINS', result.reason)] : []),
    item.container(
      CODES.imageLibrary,
      'CONTAINS',
      result.keySlices.map((k) => item.image(keySliceName(k.label), 'CONTAINS', k.sopClassUid, k.sopInstanceUid)),
    ),
    item.container(CODES.imagingMeasurements, 'CONTAINS', [studyFindingGroup(result), ...result.suspected.map((s) => subtypeGroup(result, s))]),
  ]);
  const dataset: Record<string, unknown> = {
    SpecificCharacterSet: 'ISO_IR 192',
    InstanceCreationDate: dicomDate(now),
    InstanceCreationTime: dicomTime(now),
    SOPClassUID: COMPREHENSIVE_SR,
    SOPInstanceUID: ids.sopInstanceUid,
    ...studyAndPatientModules(result),
    Modality: 'SR',
    SeriesInstanceUID: ids.seriesInstanceUid,
    SeriesNumber: RESULT_SR_SERIES_NUMBER,
    SeriesDescription: 'AI result: intracranial hemorrhage (research)',
    ReferencedPerformedProcedureStepSequence: [],
    Manufacturer: software.manufacturer,
    SoftwareVersions: software.softwareVersion,
    InstanceNumber: ids.instanceNumber,
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    ContentDate: dicomDate(result.decidedAt),
    ContentTime: dicomTime(result.decidedAt),
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: [studyReference(result.studyInstanceUid, result.evidence)],
    ...(ids.predecessor ? { PredecessorDocumentsSequence: [studyReference(result.studyInstanceUid, [ids.predecessor])] } : {}),
    ...root,
    _vrMap: {},
  };
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: COMPREHENSIVE_SR,
    MediaStorageSOPInstanceUID: ids.sopInstanceUid,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: 'ICH_TRIAGE',
    _vrMap: {},
  };
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const file = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  file.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(file.write());
}

function keySliceName(label: Label) {
  return { ...CODES.keySlice, meaning: `Key slice: ${FINDING_CODES[label].meaning.toLowerCase()}` };
}

/** The key slice of a label as an INFERRED FROM image: the probability comes from that slice. */
function inferredFrom(result: IchResult, label: Label): ContentItem[] {
  const k = result.keySlices.find((s) => s.label === label);
  return k ? [item.image(keySliceName(label), 'INFERRED FROM', k.sopClassUid, k.sopInstanceUid)] : [];
}

function tracking(label: Label, result: IchResult): ContentItem[] {
  return [
    item.text(CODES.trackingIdentifier, 'HAS OBS CONTEXT', `${FINDING_CODES[label].meaning} (study level)`),
    item.uid(CODES.trackingUid, 'HAS OBS CONTEXT', resultUid(`tracking:${result.studyInstanceUid}:${label}`)),
  ];
}

function studyFindingGroup(result: IchResult): ContentItem {
  const f = result.finding;
  const source = f.targetSensitivity === undefined ? f.pointSource : `${f.pointSource}, chosen for ${Math.round(f.targetSensitivity * 100)} % study sensitivity`;
  return item.container(CODES.measurementGroup, 'CONTAINS', [
    ...tracking('any', result),
    ...item.algorithm(result.algorithm.name, result.algorithm.version),
    item.code(CODES.finding, 'CONTAINS', FINDING_CODES.any),
    item.num(CODES.probability, 'CONTAINS', ds(f.probability), CODES.noUnits, inferredFrom(result, 'any')),
    item.num(CODES.operatingPoint, 'CONTAINS', ds(f.threshold), CODES.noUnits),
    item.text(CODES.operatingPointSource, 'CONTAINS', source),
    item.code(CODES.flagged, 'CONTAINS', f.flagged ? CODES.yes : CODES.no),
  ]);
}

function subtypeGroup(result: IchResult, s: IchResult['suspected'][number]): ContentItem {
  return item.container(CODES.measurementGroup, 'CONTAINS', [
    ...tracking(s.label, result),
    ...item.algorithm(result.algorithm.name, result.algorithm.version),
    item.code(CODES.finding, 'CONTAINS', FINDING_CODES[s.label]),
    item.code(CODES.suspected, 'CONTAINS', CODES.yes),
    item.num(CODES.probability, 'CONTAINS', ds(s.probability), CODES.noUnits, inferredFrom(result, s.label)),
    item.num(CODES.operatingPoint, 'CONTAINS', ds(s.threshold), CODES.noUnits),
  ]);
}

/** A Hierarchical SOP Instance Reference (PS3.3 C.17.2.1) of one study, grouped by series. */
function studyReference(studyInstanceUid: string, refs: readonly ImageRef[]) {
  const bySeries = new Map<string, ImageRef[]>();
  for (const r of refs) bySeries.set(r.seriesInstanceUid, [...(bySeries.get(r.seriesInstanceUid) ?? []), r]);
  return {
    StudyInstanceUID: studyInstanceUid,
    ReferencedSeriesSequence: [...bySeries].map(([SeriesInstanceUID, list]) => ({
      SeriesInstanceUID,
      ReferencedSOPSequence: list.map((r) => ({ ReferencedSOPClassUID: r.sopClassUid, ReferencedSOPInstanceUID: r.sopInstanceUid })),
    })),
  };
}

const unit = (v: number) => Number.isFinite(v) && v >= 0 && v <= 1;

function checkResult(r: IchResult): void {
  const bad = (why: string) => new AppError('VALIDATION_FAILED', `cannot write the AI result of this study as DICOM SR: ${why}`);
  if (!unit(r.finding.probability) || !unit(r.finding.threshold)) throw bad('the study probability and operating point must be numbers in 0..1');
  if (r.finding.flagged !== r.finding.probability >= r.finding.threshold) throw bad('"flagged" disagrees with the probability and the operating point');
  if (r.evidence.length === 0) throw bad('no image of the study to refer to');
  const evidence = new Set(r.evidence.map((e) => e.sopInstanceUid));
  for (const k of r.keySlices) if (!evidence.has(k.sopInstanceUid)) throw bad(`key slice of ${k.label} is not among the study's images`);
  for (const s of r.suspected) {
    if (!LABELS.includes(s.label) || !unit(s.probability) || !unit(s.threshold)) throw bad(`suspected ${s.label}: probability and threshold must be in 0..1`);
    if (!r.finding.flagged) throw bad(`suspected ${s.label} on a study that is not flagged`);
  }
}
