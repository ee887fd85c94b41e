import { LABELS } from '@/lib/labels';
import type { PhantomStudy } from './types';

/** The RSNA 2019 header of the label file. */
export const TRUTH_CSV_HEADER = 'ID,Label';

/** RSNA-format label rows (`<SOPInstanceUID>_<label>,<0|1>`, labels in LABELS order) for `studies`. */
export function truthCsvRows(studies: readonly PhantomStudy[]): string[] {
  const rows: string[] = [];
  for (const study of studies) {
    for (const slice of study.slices) {
      for (const label of LABELS) rows.push(`${slice.sopInstanceUid}_${label},${slice.truth[label]}`);
    }
  }
  return rows;
}
