import type { Label } from '@/lib/labels';
import type { HuImage } from '@/server/dicom';
import type { Truth } from './metrics';

/** One labelled slice of an evaluation set; pixels load on demand so big sets stay out of memory. */
export interface EvalSlice {
  /** Slice id as written in a submission: the SOP Instance UID, or `<patient>_<slice>` for CT-ICH. */
  id: string;
  /** Study key: StudyInstanceUID, or the patient for CT-ICH. */
  study: string;
  /** Position along the slice normal (mm), or the slice number: orders a study's slices. */
  position: number;
  truth: Record<Label, Truth>;
  loadHu: () => Promise<HuImage>;
}

/** A slice that could not be read: kept in the report, never silently dropped. */
export interface EvalFailure {
  id: string;
  code: string;
  message: string;
}

export interface EvalDataset {
  slices: EvalSlice[];
  failures: EvalFailure[];
}
