/**
 * Which studies a worklist read returns (GET /api/worklist?status=…). Isomorphic: the worklist's
 * status filter asks the server for finished studies, which the live list does not hold.
 */
export const WORKLIST_VIEWS = ['active', 'reported', 'dismissed', 'all'] as const;
export type WorklistView = (typeof WORKLIST_VIEWS)[number];

/** True when `value` is a worklist view. */
export function isWorklistView(value: string): value is WorklistView {
  return (WORKLIST_VIEWS as readonly string[]).includes(value);
}
