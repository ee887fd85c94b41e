'use client';

import { useCallback, useEffect, useReducer } from 'react';
import { SiteHeader } from '../../site-header';
import { formatDateTime, formatFullDateTime } from '@/lib/format-date-time';
import type { QuarantineItem, QuarantinePage } from '@/server/ingest/quarantine-query';

const PAGE_SIZE = 50;

type State = { phase: 'loading' | 'ready' | 'error'; items: QuarantineItem[]; nextCursor: string | null; total: number };
type Action = { type: 'page'; page: QuarantinePage; append: boolean } | { type: 'failed' };

function reduce(state: State, action: Action): State {
  if (action.type === 'failed') return { ...state, phase: 'error' };
  const { page, append } = action;
  return { phase: 'ready', items: append ? [...state.items, ...page.items] : page.items, nextCursor: page.nextCursor, total: page.total };
}

const formatSize = (bytes: number | null) =>
  bytes === null ? '—' : bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

/** What arrived and could not be used, newest first, with the reason; "older" loads the next page. */
export function QuarantineClient({ user }: { user: { username: string; role: string } }) {
  const [state, dispatch] = useReducer(reduce, { phase: 'loading', items: [], nextCursor: null, total: 0 });

  const load = useCallback(async (cursor: string | null) => {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) });
    try {
      const res = await fetch(`/api/quarantine?${query}`, { cache: 'no-store' });
      if (res.status === 401) return window.location.assign('/login');
      if (!res.ok) throw new Error(String(res.status));
      const page = (await res.json()) as QuarantinePage;
      dispatch({ type: 'page', page, append: cursor !== null });
    } catch {
      dispatch({ type: 'failed' });
    }
  }, []);

  useEffect(() => {
    void load(null);
  }, [load]);

  return (
    <div className="mx-auto flex max-w-7xl flex-col gap-6 p-6">
      <SiteHeader title="Quarantine" subtitle={<>Inputs that could not be used, kept byte for byte under <span className="font-mono">DATA_DIR/quarantine</span>.</>} user={user} current="/admin/quarantine" />
      <section aria-labelledby="quarantine-title" className="rounded-lg border border-edge bg-panel p-6">
        <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="quarantine-title" className="text-lg font-medium">
            Quarantined inputs
          </h2>
          <p className="text-sm text-muted" data-testid="quarantine-summary">
            {state.phase === 'error' ? 'Could not load the list.' : `${state.items.length} of ${state.total} shown`}
          </p>
        </div>
        {state.phase === 'ready' && state.items.length === 0 ? (
          <p className="text-muted">Nothing in quarantine.</p>
        ) : (
          <div className="-mx-2 overflow-x-auto">
            <table className="w-full min-w-[48rem] border-collapse text-left text-sm" data-testid="quarantine-table">
              <thead className="text-xs uppercase tracking-wide text-muted">
                <tr>
                  {['Received', 'Source', 'From', 'Size', 'Reason'].map((c) => (
                    <th key={c} scope="col" className="px-3 py-2 font-medium">
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {state.items.map((q) => (
                  <tr key={q.id} className="border-t border-edge align-top">
                    <td className="whitespace-nowrap px-3 py-2 font-mono"><time dateTime={q.receivedAt} title={formatFullDateTime(q.receivedAt)}>{formatDateTime(q.receivedAt)}</time></td>
                    <td className="px-3 py-2">{q.source}</td>
                    <td className="px-3 py-2 font-mono">{q.origin ?? '—'}</td>
                    <td className="whitespace-nowrap px-3 py-2">{formatSize(q.sizeBytes)}</td>
                    <td className="px-3 py-2">
                      <span className="font-mono text-alert">{q.errorCode}</span> {q.message}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {state.nextCursor && (
          <button type="button" onClick={() => void load(state.nextCursor)} className="mt-4 rounded border border-edge px-3 py-1 hover:bg-surface">
            Older
          </button>
        )}
      </section>
    </div>
  );
}
