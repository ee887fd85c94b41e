import type { WorklistItem } from './worklist';

/**
 * Another study of the same patient (same PatientID among the studies this server holds), as
 * `GET /api/studies/:uid/priors` returns it. Isomorphic: the study view lists them.
 */
export interface PriorStudy {
  studyInstanceUid: string;
  /** When it arrived here (ISO). */
  receivedAt: string;
  /**
   * The DICOM StudyDate (DA, e.g. "20261123") and description, only for roles that may see the
   * patient's identity (like the study view's patientIdentity); null for the others.
   */
  studyDate: string | null;
  studyDescription: string | null;
  status: WorklistItem['status'];
  outcome: WorklistItem['outcome'];
  flagged: boolean;
  escalated: boolean;
  /** Study probability of any hemorrhage; null before scoring or when not analysable. */
  anyProbability: number | null;
  notAnalysableReason: string | null;
}

/** A DICOM DA date as YYYY-MM-DD, or null when it is not one. */
export function formatDicomDate(da: string | null): string | null {
  const m = da ? /^(\d{4})(\d{2})(\d{2})$/.exec(da.trim()) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}
