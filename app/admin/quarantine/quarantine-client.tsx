'use client';

import { useCallback, useEffect, useReducer, useState } from 'react';
import { SiteHeader } from '../../site-header';
import { formatDateTime, formatFullDateTime } from '@/lib/format-date-time';
import type { QuarantineItem, QuarantinePage, ReingestResult } from '@/lib/quarantine';
import { adminApi } from '../users/admin-api';

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

const CHANNEL_TEXT: Record<string, string> = { dimse: 'DICOM C-STORE from AE', stow: 'STOW-RS from', upload: 'Upload by', folder: 'Watched folder', demo: 'Demo scanner' };

/** "Upload by ana", "DICOM C-STORE from AE CT_SCANNER_1", "Upload by token pacs". */
function describeSender(q: QuarantineItem): string {
  if (!q.sender) return q.origin ?? '—';
  const { channel, name } = q.sender;
  if (channel === 'folder') return CHANNEL_TEXT.folder!;
  const who = name.startsWith('token:') ? `service token ${name.slice(6)}` : name;
  return `${CHANNEL_TEXT[channel] ?? channel} ${who}`;
}

const ACTION_BUTTON = 'rounded border border-edge px-2 py-0.5 text-xs hover:bg-surface disabled:opacity-60';

/**
 * What arrived and could not be used, newest first, with the reason; "older" loads the next page.
 * Each entry can be downloaded as received, re-ingested once its cause is fixed, or deleted.
 */
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

  const [busy, setBusy] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ tone: 'ok' | 'bad'; text: string } | null>(null);

  async function reingest(q: QuarantineItem) {
    setBusy(q.id);
    setNotice(null);
    const r = await adminApi<ReingestResult>(`/api/quarantine/${encodeURIComponent(q.id)}/reingest`, { method: 'POST' });
    if (!r.ok) setNotice({ tone: 'bad', text: r.message });
    else if (r.data.status === 'quarantined') setNotice({ tone: 'bad', text: `Still refused: ${r.data.error.code} — ${r.data.error.message}. It stays in quarantine.` });
    else setNotice({ tone: 'ok', text: `Re-ingested: ${r.data.status === 'duplicate' ? 'already held' : 'stored'} in study …${r.data.studyInstanceUid.slice(-8)}; removed from quarantine.` });
    await load(null);
    setBusy(null);
  }

  async function remove(q: QuarantineItem) {
    setBusy(q.id);
    setNotice(null);
    setConfirmDelete(null);
    const r = await adminApi<null>(`/api/quarantine/${encodeURIComponent(q.id)}`, { method: 'DELETE' });
    setNotice(r.ok ? { tone: 'ok', text: 'Deleted from quarantine.' } : { tone: 'bad', text: r.message });
    await load(null);
    setBusy(null);
  }

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
        {notice && (
          <p role="status" data-testid="quarantine-notice" className={`mb-3 text-sm ${notice.tone === 'ok' ? 'text-live' : 'text-alert'}`}>
            {notice.text}
          </p>
        )}
        {state.phase === 'ready' && state.items.length === 0 ? (
          <p className="text-muted">Nothing in quarantine.</p>
        ) : (
          <div className="-mx-2 overflow-x-auto">
            <table className="w-full min-w-[48rem] border-collapse text-left text-sm" data-testid="quarantine-table">
              <thead className="text-xs uppercase tracking-wide text-muted">
                <tr>
                  {['Received', 'File', 'Sender', 'Size', 'Reason', 'Actions'].map((c) => (
                    <th key={c} scope="col" className="px-3 py-2 font-medium">
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {state.items.map((q) => (
                  <tr key={q.id} className="border-t border-edge align-top" data-testid="quarantine-row">
                    <td className="whitespace-nowrap px-3 py-2 font-mono"><time dateTime={q.receivedAt} title={formatFullDateTime(q.receivedAt)}>{formatDateTime(q.receivedAt)}</time></td>
                    <td className="px-3 py-2 font-mono">
                      {q.fileName ?? <span className="font-sans text-muted" title="Names that could carry a patient's name are not kept">name not kept</span>}
                    </td>
                    <td className="px-3 py-2">{describeSender(q)}</td>
                    <td className="whitespace-nowrap px-3 py-2">{formatSize(q.sizeBytes)}</td>
                    <td className="px-3 py-2">
                      <span className="font-mono text-alert">{q.errorCode}</span> {q.message}
                    </td>
                    <td className="px-3 py-2">
                      <div className="flex flex-wrap gap-1">
                        <a href={`/api/quarantine/${encodeURIComponent(q.id)}/file`} download className={ACTION_BUTTON} data-testid="quarantine-download">
                          Download
                        </a>
                        <button type="button" disabled={busy !== null} onClick={() => void reingest(q)} className={ACTION_BUTTON} data-testid="quarantine-reingest">
                          {busy === q.id ? 'Working…' : 'Re-ingest'}
                        </button>
                        <button
                          type="button"
                          disabled={busy !== null}
                          onClick={() => (confirmDelete === q.id ? void remove(q) : setConfirmDelete(q.id))}
                          onBlur={() => setConfirmDelete((id) => (id === q.id ? null : id))}
                          className={`${ACTION_BUTTON} ${confirmDelete === q.id ? 'border-alert text-alert' : ''}`}
                          data-testid="quarantine-delete"
                        >
                          {confirmDelete === q.id ? 'Confirm delete' : 'Delete…'}
                        </button>
                      </div>
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
