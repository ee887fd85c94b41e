import type { LabelRecord } from './labels';
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

export interface StudyDetail {
  study: WorklistItem;
  seriesChoiceReason: string | null;
  series: { seriesInstanceUid: string; description: string | null; kernel: string | null; instances: number; chosen: boolean; rejectedReason: string | null }[];
  slices: SliceResult[];
  history: { from: string | null; to: string; at: string; reason: string | null }[];
}
