import { AppError, isAppError } from '@/lib/errors';
import { checkSeriesUsable, type UsableSliceInput } from '@/server/dicom/check-series-usable';

export interface SeriesCandidate<T extends UsableSliceInput> {
  seriesId: string;
  description: string | null;
  convolutionKernel: string | null;
  sliceThickness: number | null;
  slices: T[];
}

export type SeriesChoice =
  | { seriesId: string; reason: string; rejected: { seriesId: string; code: string; message: string }[] }
  | { seriesId: null; reason: string; code: string; rejected: { seriesId: string; code: string; message: string }[] };

// Bone and sharp reconstructions make bleeds harder to see and the model was not trained on them.
const SHARP_KERNEL = /bone|sharp|lung|\bH[6-9]\d|\bB[6-9]\d|\bYC\b|\bFC3\d/i;

// BodyPartExamined values that are a head CT (PS3.16 CID 4030 plus common vendor spellings).
const HEAD_PARTS = new Set(['HEAD', 'BRAIN', 'SKULL', 'HEADNECK', 'HEAD NECK', 'HEAD_NECK', 'HEADANDNECK', 'CEREBRUM', 'CRANIUM']);

/**
 * Refuses a series whose BodyPartExamined names another body part: the model has only seen heads.
 * Absent (common) is accepted; the model's own output is then the only check.
 */
function assertHead(slices: readonly UsableSliceInput[]): void {
  const parts = new Set(slices.map((s) => (s as { bodyPartExamined?: string }).bodyPartExamined?.trim().toUpperCase()).filter((p): p is string => Boolean(p)));
  const other = [...parts].find((p) => !HEAD_PARTS.has(p));
  if (other) throw new AppError('SERIES_NOT_HEAD', `BodyPartExamined is ${other}: not a head CT`);
}

/**
 * Refuses a series in which no slice shows brain inside a skull (server/dicom/intracranial-content.ts):
 * the model's output on it would mean nothing. Slices not measured (older rows) count as showing it.
 */
function assertShowsBrain(slices: readonly UsableSliceInput[]): void {
  const measured = slices.map((s) => (s as { showsBrain?: boolean }).showsBrain);
  if (measured.length > 0 && measured.every((b) => b === false)) {
    throw new AppError(
      'SERIES_NO_BRAIN',
      `none of the ${measured.length} slices shows brain inside a skull: not a head CT, or the head is outside the field of view`,
    );
  }
}

/**
 * Picks the series to analyse: an axial stack (localizers, reformats and mixed series rejected
 * with their reason), preferring a soft-tissue kernel, then more slices, then thinner slices.
 * The reason is written to the study record so "why this series" is always answerable.
 */
export function chooseSeries<T extends UsableSliceInput>(candidates: readonly SeriesCandidate<T>[]): SeriesChoice {
  const usable: { c: SeriesCandidate<T>; sharp: boolean; count: number }[] = [];
  const rejected: { seriesId: string; code: string; message: string }[] = [];
  for (const c of candidates) {
    try {
      assertHead(c.slices);
      const checked = checkSeriesUsable(c.slices);
      assertShowsBrain(c.slices);
      usable.push({ c, sharp: SHARP_KERNEL.test(`${c.convolutionKernel ?? ''} ${c.description ?? ''}`), count: checked.ordered.length });
    } catch (err) {
      if (!isAppError(err)) throw err;
      rejected.push({ seriesId: c.seriesId, code: err.code, message: err.message });
    }
  }
  if (usable.length === 0) {
    const first = rejected[0];
    return {
      seriesId: null,
      code: first?.code ?? 'SERIES_EMPTY',
      reason: first ? `no usable axial series: ${first.message}` : 'no decodable slices',
      rejected,
    };
  }
  usable.sort((a, b) => Number(a.sharp) - Number(b.sharp) || b.count - a.count || (a.c.sliceThickness ?? 99) - (b.c.sliceThickness ?? 99));
  const best = usable[0]!;
  const parts = [`${best.count} axial slices`];
  if (best.c.convolutionKernel) parts.push(`kernel ${best.c.convolutionKernel}${best.sharp ? ' (sharp: no soft-tissue series available)' : ''}`);
  if (best.c.sliceThickness) parts.push(`${best.c.sliceThickness} mm`);
  if (usable.length > 1) parts.push(`chosen over ${usable.length - 1} other usable series`);
  if (rejected.length > 0) parts.push(`${rejected.length} series rejected (${[...new Set(rejected.map((r) => r.code))].join(', ')})`);
  return { seriesId: best.c.seriesId, reason: parts.join('; '), rejected };
}
