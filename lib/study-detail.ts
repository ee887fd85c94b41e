import type { Label, LabelRecord } from './labels';
import type { WorklistItem } from './worklist';

/** One slice of a study with its model output, as `GET /api/studies/<uid>` returns it. */
export interface SliceResult {
  sopInstanceUid: string;
  seriesInstanceUid: string;
  instanceNumber: number | null;
  /** mm along the slice normal; orders the slices. */
  position: number | null;
  decodeStatus: 'pending' | 'decoded' | 'failed';
  error: { code: string; message: string } | null;
  probabilities: LabelRecord<number> | null;
  /** A localisation map exists for this slice. */
  hasLocalization: boolean;
}

/** The model that triaged the study, as recorded on the study. */
export interface StudyModel {
  name: string;
  version: string;
  /** Execution provider that ran it (cpu, cuda, webgpu); null when not recorded. */
  provider: string | null;
  /** How slice probabilities became study probabilities; null when not recorded. */
  aggregation: string | null;
}

export interface StudyDetail {
  study: WorklistItem;
  /** "Open in viewer" link (VIEWER_URL_TEMPLATE with this study's UID); absent when none is configured. */
  viewerUrl?: string;
  /** Null until a model has scored the study. */
  model: StudyModel | null;
  /**
   * The decision threshold per label of the model that scored the study; null when that model is
   * not the one the server runs now (its manifest, and so its thresholds, are not at hand).
   */
  operatingPoints: LabelRecord<number> | null;
  seriesChoiceReason: string | null;
  series: { seriesInstanceUid: string; description: string | null; kernel: string | null; instances: number; chosen: boolean; rejectedReason: string | null }[];
  slices: SliceResult[];
  history: { from: string | null; to: string; at: string; reason: string | null }[];
  /**
   * Who the patient is, for roles that treat patients (server/auth/roles.ts viewPatientIdentity);
   * null for the others, who see only the masked display in `study.patient`.
   */
  patientIdentity: PatientIdentity | null;
  /** Why the study sits where it does on the worklist (rank in `study.rank`): its tier and the inputs to it. */
  priority: { tier: number; reasons: string[] };
}

/** The patient identifiers as received (DICOM values; names in DICOM PN form "FAMILY^GIVEN"). */
export interface PatientIdentity {
  name: string | null;
  id: string | null;
  birthDate: string | null;
  accessionNumber: string | null;
  studyDescription: string | null;
  studyDate: string | null;
}

/**
 * `GET /api/studies/<study>/slices/<sop>` answers the slice's Hounsfield units as raw little-endian
 * Int16, row-major, rows x columns (application/octet-stream); these headers describe it.
 */
export const SLICE_HEADERS = {
  rows: 'x-slice-rows',
  columns: 'x-slice-columns',
  /** "row\\column" spacing in mm (DICOM PixelSpacing order); absent when the file has none. */
  pixelSpacing: 'x-pixel-spacing',
  /** mm along the slice normal; absent when unknown. */
  position: 'x-slice-position',
} as const;

/**
 * `GET /api/studies/<study>/slices/<sop>/localization`: where the model sees each label, one
 * height x width grid per label (values 0..1, row-major) covering the whole slice.
 */
export interface SliceLocalization {
  height: number;
  width: number;
  modelVersion: string;
  maps: Record<Label, number[]>;
}
