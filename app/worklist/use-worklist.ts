'use client';

import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import type { StudyUpdate } from '@/lib/realtime-events';
import type { WorklistItem } from '@/lib/worklist';
import type { RealtimeListeners } from '../use-realtime';
import { initialWorklistState, worklistReducer, type WorklistState } from './worklist-state';

/** How long a newly flagged row stays highlighted. */
const HIGHLIGHT_MS = 8_000;
const BASE_TITLE = 'ICH Triage';

export interface Worklist extends WorklistState {
  /** Pass to useRealtime: study events and resyncs feed the worklist. */
  listeners: RealtimeListeners;
  /** Clears the "new flagged" count in the page title. */
  markSeen: () => void;
  /** Hides the new-flagged banner. */
  dismissAlerts: () => void;
}

/**
 * The live worklist: a snapshot from /api/worklist on mount, kept current by `study:updated`
 * events. A reconnect replays what was missed, so it needs no snapshot; only a resync (the first
 * connect, or a gap the server no longer keeps) reads /api/worklist again.
 */
export function useWorklist(): Worklist {
  const [state, dispatch] = useReducer(worklistReducer, initialWorklistState);

  // Only the newest snapshot counts: an older request still in flight is abandoned.
  const inFlight = useRef<AbortController | null>(null);
  const reload = useCallback(async () => {
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    dispatch({ type: 'fetch-started' });
    try {
      const res = await fetch('/api/worklist', { cache: 'no-store', signal: controller.signal });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as { studies: WorklistItem[] };
      if (!controller.signal.aborted) dispatch({ type: 'fetch-succeeded', studies: body.studies });
    } catch {
      if (!controller.signal.aborted) dispatch({ type: 'fetch-failed' });
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  const listeners = useMemo<RealtimeListeners>(
    () => ({
      onResync: (head: number) => {
        dispatch({ type: 'resync', head });
        void reload();
      },
      onStudyUpdated: (update: StudyUpdate) => dispatch({ type: 'updated', update }),
    }),
    [reload],
  );

  // Each highlight fades after a while; one timer per highlighted row.
  useEffect(() => {
    const timers = state.highlighted.map((uid) =>
      setTimeout(() => dispatch({ type: 'highlight-expired', studyInstanceUid: uid }), HIGHLIGHT_MS),
    );
    return () => timers.forEach(clearTimeout);
  }, [state.highlighted]);

  // The tab title carries the count of new flagged studies, visible from another tab or window.
  useEffect(() => {
    document.title = state.unseenFlagged > 0 ? `(${state.unseenFlagged}) flagged — ${BASE_TITLE}` : BASE_TITLE;
  }, [state.unseenFlagged]);

  const markSeen = useCallback(() => dispatch({ type: 'seen' }), []);

  // Any interaction with the page, or coming back to the window, counts as having seen them.
  useEffect(() => {
    if (state.unseenFlagged === 0) return;
    const events = ['focus', 'pointerdown', 'keydown'] as const;
    events.forEach((e) => window.addEventListener(e, markSeen));
    return () => events.forEach((e) => window.removeEventListener(e, markSeen));
  }, [state.unseenFlagged, markSeen]);

  const dismissAlerts = useCallback(() => dispatch({ type: 'alerts-dismissed' }), []);

  return { ...state, listeners, markSeen, dismissAlerts };
}
