'use client';

import { useEffect, useState } from 'react';
import { formatDateTime } from '@/lib/format-date-time';
import type { OutboxRow, OutboxView } from '@/lib/outbox';
import { adminApi } from '../admin/users/admin-api';

const KIND_WORDS: Record<string, string> = { webhook: 'Webhook', fhir: 'FHIR report', 'dicom-results': 'DICOM result (SR)' };
const kindLabel = (kind: string) => KIND_WORDS[kind] ?? kind;

/** When a row goes next, in words. */
function nextWords(row: OutboxRow): string {
  if (row.state === 'delivered') return row.deliveredAt ? `delivered ${formatDateTime(row.deliveredAt)}` : 'delivered';
  if (row.state === 'failed') return 'gave up (retry to send again)';
  if (row.state === 'delivering') return 'sending now';
  return row.nextAttemptAt ? `next try ${formatDateTime(row.nextAttemptAt)}` : 'due';
}

/**
 * The operations page's outbox (admins): alerts and results on their way out (webhook, FHIR,
 * DICOM SR), the backlog, failures and the last error, and "retry now" on a failed or waiting one.
 * Refreshes every 10 s; a retry is journaled by the server.
 */
export function OutboxPanel() {
  const [view, setView] = useState<OutboxView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [onlyProblems, setOnlyProblems] = useState(true);
  const [busy, setBusy] = useState<string | null>(null);

  // Bumped after a retry so the list is read again at once.
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    const read = () =>
      adminApi<OutboxView>(`/api/outbox?limit=50${onlyProblems ? '&state=failed' : ''}`).then((r) => {
        if (!live) return;
        if (r.ok) {
          setView(r.data);
          setError(null);
        } else setError(r.message);
      });
    void read();
    const timer = setInterval(() => void read(), 10_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [onlyProblems, reload]);

  const retry = async (id: string) => {
    setBusy(id);
    const r = await adminApi<{ id: string }>(`/api/outbox/${encodeURIComponent(id)}/retry`, { method: 'POST' });
    setBusy(null);
    if (!r.ok) setError(r.message);
    setReload((n) => n + 1);
  };

  const s = view?.summary;
  return (
    <section className="rounded-lg border border-edge p-4" aria-labelledby="outbox-heading" data-testid="outbox-panel">
      <h2 id="outbox-heading" className="mb-1 text-sm font-semibold uppercase tracking-wide text-muted">
        Outgoing alerts and results
      </h2>
      {error && <p className="mb-2 text-sm text-alert" role="alert">{error}</p>}
      {!s ? (
        <p className="text-sm text-muted">Loading…</p>
      ) : (
        <div className="flex flex-col gap-3 text-sm">
          <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
            <dt className="text-muted">Waiting to be delivered</dt>
            <dd data-testid="outbox-backlog">
              {s.backlog}
              {s.oldestPendingAt && ` (oldest since ${formatDateTime(s.oldestPendingAt)})`}
            </dd>
            <dt className="text-muted">Failed (gave up)</dt>
            <dd data-testid="outbox-failed" className={s.failed > 0 ? 'font-semibold text-alert' : ''}>
              {s.failed}
            </dd>
            <dt className="text-muted">Delivered</dt>
            <dd>{s.delivered}</dd>
            <dt className="text-muted">Last error</dt>
            <dd data-testid="outbox-last-error">{s.lastError ? `${kindLabel(s.lastError.kind)}, ${formatDateTime(s.lastError.at)}: ${s.lastError.error}` : 'none'}</dd>
          </dl>
          {s.kinds.length === 0 ? (
            <p className="text-xs text-muted">Nothing has been sent yet. Targets are set by NOTIFY_WEBHOOK_URL, NOTIFY_FHIR_URL and RESULTS_DICOM_TARGET / RESULTS_STOW_URL.</p>
          ) : (
            <>
              <label className="flex items-center gap-2 text-muted">
                <input type="checkbox" checked={onlyProblems} onChange={(e) => setOnlyProblems(e.target.checked)} /> failed only
              </label>
              {view.rows.length === 0 ? (
                <p className="text-muted">{onlyProblems ? 'No failed messages.' : 'No messages.'}</p>
              ) : (
                <table className="w-full text-left">
                  <thead className="text-xs text-muted">
                    <tr>
                      <th className="py-1 pr-3 font-normal">Queued</th>
                      <th className="py-1 pr-3 font-normal">What</th>
                      <th className="py-1 pr-3 font-normal">Study</th>
                      <th className="py-1 pr-3 font-normal">State</th>
                      <th className="py-1 pr-3 font-normal">Tries</th>
                      <th className="py-1 pr-3 font-normal">Last error</th>
                      <th className="py-1 font-normal" />
                    </tr>
                  </thead>
                  <tbody>
                    {view.rows.map((row) => (
                      <tr key={row.id} className="border-t border-edge" data-testid="outbox-row">
                        <td className="py-1 pr-3 whitespace-nowrap">{formatDateTime(row.createdAt)}</td>
                        <td className="py-1 pr-3">{kindLabel(row.kind)}</td>
                        <td className="max-w-48 truncate py-1 pr-3 font-mono text-xs" title={row.studyInstanceUid ?? ''}>
                          {row.studyInstanceUid ? <a className="underline" href={`/studies/${encodeURIComponent(row.studyInstanceUid)}`}>{row.studyInstanceUid}</a> : '—'}
                        </td>
                        <td className="py-1 pr-3">{nextWords(row)}</td>
                        <td className="py-1 pr-3 tabular-nums">{row.attempts}</td>
                        <td className="max-w-72 py-1 pr-3 text-xs">{row.lastError ?? '—'}</td>
                        <td className="py-1">
                          {(row.state === 'failed' || row.state === 'pending') && (
                            <button type="button" disabled={busy === row.id} onClick={() => void retry(row.id)} className="rounded border border-edge px-2 py-0.5 disabled:opacity-50">
                              Retry now
                            </button>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          )}
        </div>
      )}
    </section>
  );
}
