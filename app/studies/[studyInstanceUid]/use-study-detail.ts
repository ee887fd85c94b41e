'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { StudyDetail } from '@/lib/study-detail';
import type { RealtimeListeners } from '../../use-realtime';

const REFRESH_MS = 1000;

export type DetailState = { phase: 'loading' } | { phase: 'ready'; detail: StudyDetail; /** Counts successful reads. */ loads: number } | { phase: 'missing' } | { phase: 'error'; message: string };

/**
 * The study's detail from /api/studies/<uid>, read again whenever a `study:updated` for this study
 * arrives or the connection comes back. A request number makes a slow, older answer lose to a newer one.
 */
export function useStudyDetail(studyInstanceUid: string): { state: DetailState; listeners: RealtimeListeners; reload: () => void } {
  const [state, setState] = useState<DetailState>({ phase: 'loading' });
  const latest = useRef(0);

  const reload = useCallback(async () => {
    const ticket = ++latest.current;
    try {
      const res = await fetch(`/api/studies/${encodeURIComponent(studyInstanceUid)}`, { cache: 'no-store' });
      if (ticket !== latest.current) return;
      if (res.status === 404) return setState({ phase: 'missing' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const detail = (await res.json()) as StudyDetail;
      if (ticket === latest.current) setState((s) => ({ phase: 'ready', detail, loads: s.phase === 'ready' ? s.loads + 1 : 1 }));
    } catch (err) {
      // Keep showing what we have; say so only when there is nothing.
      if (ticket === latest.current) setState((s) => (s.phase === 'ready' ? s : { phase: 'error', message: err instanceof Error ? err.message : String(err) }));
    }
  }, [studyInstanceUid]);

  useEffect(() => {
    // The fetch's setState happens after an await, never synchronously within the effect.
    const start = setTimeout(() => void reload(), 0);
    return () => clearTimeout(start);
  }, [reload]);

  // Updates come in bursts while slices arrive: one read per second at most, the last one always made.
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => clearTimeout(pending.current ?? undefined), []);
  const listeners = useMemo<RealtimeListeners>(
    () => ({
      onConnect: () => void reload(),
      onStudyUpdated: (update) => {
        if (update.study.studyInstanceUid !== studyInstanceUid || pending.current) return;
        pending.current = setTimeout(() => {
          pending.current = null;
          void reload();
        }, REFRESH_MS);
      },
    }),
    [reload, studyInstanceUid],
  );
  return { state, listeners, reload: () => void reload() };
}
