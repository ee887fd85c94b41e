'use client';

import { useEffect, useState } from 'react';
import type { WorklistItem } from '@/lib/worklist';

/** How often a finished list is read again while shown (finished studies change rarely). */
const REFRESH_MS = 30_000;

/**
 * Reported and/or dismissed studies for the worklist's status filter, read from
 * `GET /api/worklist?status=<view>` (the live list holds only active studies). Read again when the
 * view changes, when `changeKey` moves (a live event: a study may just have been closed or
 * reopened) and every 30 s; null while not asked for. Only the finished rows are returned: the
 * active ones come from the live list.
 */
export function useFinishedStudies(view: 'reported' | 'dismissed' | 'all' | null, changeKey: number): WorklistItem[] | null {
  const [state, setState] = useState<{ view: string; studies: WorklistItem[] } | null>(null);
  useEffect(() => {
    if (!view) return;
    const controller = new AbortController();
    const load = () =>
      fetch(`/api/worklist?status=${view}`, { cache: 'no-store', signal: controller.signal })
        .then(async (res) => {
          if (!res.ok) return;
          const body = (await res.json()) as { studies: WorklistItem[] };
          setState({ view, studies: body.studies.filter((s) => s.status === 'reported' || s.status === 'dismissed') });
        })
        .catch(() => undefined); // offline: the last list stays, the connection pill says why
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [view, changeKey]);
  return view && state?.view === view ? state.studies : view ? [] : null;
}
