import type { StudyUpdate } from '@/lib/realtime-events';
import { compareWorklist, type WorklistItem } from '@/lib/worklist';

/** Statuses that keep a study on the active worklist (the same set the API returns). */
const ACTIVE: ReadonlySet<WorklistItem['status']> = new Set(['receiving', 'analysing', 'triaged', 'in_review']);

/**
 * The dashboard's copy of the worklist. Pure and framework-free: `use-worklist` drives it with
 * React's useReducer.
 */
export interface WorklistState {
  studies: WorklistItem[];
  /**
   * Highest `study:updated` seq applied; older or repeated events are dropped. The realtime
   * sequencer already delivers each event once and in order; this guards the snapshot seam.
   */
  lastSeq: number;
  /** 'loading' until the first snapshot from /api/worklist arrives. */
  phase: 'loading' | 'ready' | 'error';
  /** Updates received while a snapshot is being fetched; applied on top of it. */
  buffered: StudyUpdate[] | null;
  /** Studies that became flagged live, highlighted for a few seconds. */
  highlighted: string[];
  /** New flagged studies since the user last looked (shown in the page title). */
  unseenFlagged: number;
  /** Studies that became flagged live, newest first (the banner; the tone plays for each). */
  alerts: FlaggedAlert[];
}

/** A study that became flagged while the page was open. `seq` tells one arrival from the next. */
export interface FlaggedAlert {
  studyInstanceUid: string;
  patient: string;
  seq: number;
}

/** The banner keeps this many; older ones are still in the list, highlighted by the title count. */
const MAX_ALERTS = 5;

export type WorklistAction =
  | { type: 'fetch-started' }
  | { type: 'fetch-succeeded'; studies: WorklistItem[] }
  | { type: 'fetch-failed' }
  | { type: 'updated'; update: StudyUpdate }
  /**
   * The events cannot continue this copy (first connect, or a gap the server no longer keeps): a
   * snapshot is read next, and events after `head` apply on top of it.
   */
  | { type: 'resync'; head: number }
  | { type: 'highlight-expired'; studyInstanceUid: string }
  | { type: 'seen' }
  | { type: 'alerts-dismissed' };

export const initialWorklistState: WorklistState = {
  studies: [],
  lastSeq: 0,
  phase: 'loading',
  buffered: null,
  highlighted: [],
  unseenFlagged: 0,
  alerts: [],
};

/** Sorts with the database's rule and numbers the rows 1..n. */
export function rankStudies(studies: readonly WorklistItem[]): WorklistItem[] {
  return studies
    .filter((s) => ACTIVE.has(s.status))
    .sort(compareWorklist)
    .map((s, i) => (s.rank === i + 1 ? s : { ...s, rank: i + 1 }));
}

function applyUpdate(state: WorklistState, update: StudyUpdate): WorklistState {
  if (update.seq <= state.lastSeq) return state;
  const incoming = update.study;
  const previous = state.studies.find((s) => s.studyInstanceUid === incoming.studyInstanceUid);
  const others = state.studies.filter((s) => s.studyInstanceUid !== incoming.studyInstanceUid);
  const studies = rankStudies([...others, incoming]);
  const newlyFlagged = incoming.flagged && !previous?.flagged && ACTIVE.has(incoming.status);
  return {
    ...state,
    studies,
    lastSeq: update.seq,
    highlighted: newlyFlagged ? [...state.highlighted, incoming.studyInstanceUid] : state.highlighted,
    unseenFlagged: newlyFlagged ? state.unseenFlagged + 1 : state.unseenFlagged,
    alerts: newlyFlagged
      ? [{ studyInstanceUid: incoming.studyInstanceUid, patient: incoming.patient, seq: update.seq }, ...state.alerts.filter((a) => a.studyInstanceUid !== incoming.studyInstanceUid)].slice(0, MAX_ALERTS)
      : state.alerts,
  };
}

export function worklistReducer(state: WorklistState, action: WorklistAction): WorklistState {
  switch (action.type) {
    case 'fetch-started':
      return { ...state, buffered: state.buffered ?? [] };
    case 'fetch-succeeded': {
      // The snapshot is the truth; updates that arrived while it was in flight go on top, in order.
      let next: WorklistState = { ...state, studies: rankStudies(action.studies), phase: 'ready', buffered: null };
      for (const update of state.buffered ?? []) next = applyUpdate(next, update);
      return next;
    }
    case 'fetch-failed': {
      let next: WorklistState = { ...state, phase: state.phase === 'ready' ? 'ready' : 'error', buffered: null };
      for (const update of state.buffered ?? []) next = applyUpdate(next, update);
      return next;
    }
    case 'updated':
      if (state.buffered) return { ...state, buffered: [...state.buffered, action.update] };
      return applyUpdate(state, action.update);
    case 'resync':
      // Events already buffered for an earlier snapshot are from before `head`: the new one has them.
      return { ...state, lastSeq: action.head, buffered: [] };
    case 'highlight-expired':
      return { ...state, highlighted: state.highlighted.filter((uid) => uid !== action.studyInstanceUid) };
    case 'seen':
      return state.unseenFlagged === 0 ? state : { ...state, unseenFlagged: 0 };
    case 'alerts-dismissed':
      return state.alerts.length === 0 ? state : { ...state, alerts: [] };
  }
}
