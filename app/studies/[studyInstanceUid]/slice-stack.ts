import type { SliceResult, StudyDetail } from '@/lib/study-detail';

/**
 * The slices the viewer scrolls through: the series the model read (position order, as the detail
 * lists it), or the first series received when none was chosen (a study not analysable).
 */
export function viewingStack(detail: StudyDetail): SliceResult[] {
  const seriesUid = detail.series.find((s) => s.chosen)?.seriesInstanceUid ?? detail.slices[0]?.seriesInstanceUid;
  return detail.slices.filter((s) => s.seriesInstanceUid === seriesUid);
}

/** Where the viewer opens: the requested slice when it is in the stack, else the highest "any", else the middle. */
export function initialSliceIndex(stack: readonly SliceResult[], requestedSop: string | null): number {
  if (stack.length === 0) return 0;
  const requested = requestedSop ? stack.findIndex((s) => s.sopInstanceUid === requestedSop) : -1;
  if (requested >= 0) return requested;
  let best = -1;
  stack.forEach((s, i) => {
    const p = s.probabilities?.any;
    if (p !== undefined && (best < 0 || p > stack[best]!.probabilities!.any)) best = i;
  });
  return best >= 0 ? best : Math.floor(stack.length / 2);
}
