import type { IchResult } from './ich-result';

/** Patient, study and patient-study attributes copied from the images (PS3.3 C.7.1.1, C.7.2.1, C.7.2.2). */
export const COPIED_ATTRIBUTES = [
  'PatientName',
  'PatientID',
  'IssuerOfPatientID',
  'PatientBirthDate',
  'PatientSex',
  'OtherPatientIDsSequence',
  'PatientAge',
  'PatientSize',
  'PatientWeight',
  'StudyInstanceUID',
  'StudyDate',
  'StudyTime',
  'ReferringPhysicianName',
  'StudyID',
  'AccessionNumber',
  'IssuerOfAccessionNumberSequence',
  'StudyDescription',
] as const;

/**
 * The patient and study modules every result instance carries, copied from the study's images so
 * the PACS files the result in the same study; the Type 2 attributes the images may lack are
 * present and empty, as the IODs require.
 */
export function studyAndPatientModules(result: Pick<IchResult, 'studyInstanceUid' | 'patientStudy'>): Record<string, unknown> {
  const copied = Object.fromEntries(COPIED_ATTRIBUTES.filter((k) => result.patientStudy[k] !== undefined).map((k) => [k, result.patientStudy[k]]));
  return {
    ...copied,
    StudyInstanceUID: result.studyInstanceUid,
    StudyDate: copied.StudyDate ?? '',
    StudyTime: copied.StudyTime ?? '',
    ReferringPhysicianName: copied.ReferringPhysicianName ?? '',
    StudyID: copied.StudyID ?? '',
    AccessionNumber: copied.AccessionNumber ?? '',
    PatientName: copied.PatientName ?? '',
    PatientID: copied.PatientID ?? '',
    PatientBirthDate: copied.PatientBirthDate ?? '',
    PatientSex: copied.PatientSex ?? '',
  };
}

export const dicomDate = (d: Date) => d.toISOString().slice(0, 10).replaceAll('-', '');
export const dicomTime = (d: Date) => d.toISOString().slice(11, 19).replaceAll(':', '');
