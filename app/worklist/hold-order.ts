import type { WorklistItem } from '@/lib/worklist';

/** A row shown while the order is held; `left` when it is no longer in the live list. */
export interface HeldRow {
  study: WorklistItem;
  left: boolean;
}

export interface HeldView {
  rows: HeldRow[];
  /** Rows that arrived, left or moved since the hold began: what "show" would change. */
  pending: number;
}

/**
 * The rows in the order they had when the hold began, each with its newest data. Nothing is
 * inserted, removed or moved while held: a study that arrived waits, one that left stays (dimmed)
 * until the hold ends, so the row under the pointer is still the one the user aimed at.
 */
export function holdOrder(frozen: readonly WorklistItem[], live: readonly WorklistItem[]): HeldView {
  const liveById = new Map(live.map((s) => [s.studyInstanceUid, s]));
  const frozenIds = new Set(frozen.map((s) => s.studyInstanceUid));
  const rows = frozen.map((f) => {
    const current = liveById.get(f.studyInstanceUid);
    return current ? { study: current, left: false } : { study: f, left: true };
  });
  const arrived = live.filter((s) => !frozenIds.has(s.studyInstanceUid)).length;
  const left = rows.filter((r) => r.left).length;
  // Moved: a row that stayed but whose place among the rows that stayed differs.
  const stayedHeld = rows.filter((r) => !r.left).map((r) => r.study.studyInstanceUid);
  const stayedLive = live.filter((s) => frozenIds.has(s.studyInstanceUid)).map((s) => s.studyInstanceUid);
  const moved = stayedHeld.filter((id, i) => stayedLive[i] !== id).length;
  return { rows, pending: arrived + left + moved };
}
