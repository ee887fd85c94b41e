'use client';

import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { AUDIT_ACTIONS, auditActionLabel, auditTargetLabel, type AuditEntry, type AuditPage } from '@/lib/audit';
import { formatDateTime, formatFullDateTime } from '@/lib/format-date-time';
import { DICOM_UID_INPUT_PATTERN } from '@/lib/dicom-uid';
import { auditQuery, NO_FILTERS, type AuditFilters } from './audit-query-string';

const PAGE = 50;
const INPUT = 'rounded border border-edge bg-surface px-2 py-1 text-sm text-ink focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400';
const BUTTON = 'rounded border border-edge px-3 py-1.5 text-sm hover:bg-surface focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 disabled:opacity-50';

/** Details as short "key: value" text; ids and hashes are shortened, the full entry is in the CSV. */
function summarise(e: AuditEntry): string {
  return Object.entries(e.details)
    .filter(([k]) => !k.endsWith('Id') && !k.endsWith('Ids'))
    .map(([k, v]) => `${k}: ${typeof v === 'string' && v.length > 16 && k.endsWith('Sha256') ? `${v.slice(0, 10)}…` : JSON.stringify(v)}`)
    .join(', ');
}

/** One page of /api/audit, newest first; rejects with the server's message. */
async function fetchAuditPage(filters: AuditFilters, after: number | null): Promise<AuditPage> {
  const res = await fetch(`/api/audit?${auditQuery(filters, { limit: String(PAGE), ...(after ? { cursor: String(after) } : {}) })}`, { cache: 'no-store' });
  const json = (await res.json().catch(() => ({}))) as Partial<AuditPage> & { error?: { message: string } };
  if (!res.ok || !json.entries) throw new Error(json.error?.message ?? `HTTP ${res.status}`);
  return { entries: json.entries, nextCursor: json.nextCursor ?? null };
}

/** Filters, the journal newest first with paging, and the CSV export of the same filters. */
export function AuditClient() {
  const [form, setForm] = useState<AuditFilters>(NO_FILTERS);
  const [applied, setApplied] = useState<AuditFilters>(NO_FILTERS);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<number | null>(null);
  const [phase, setPhase] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<string | null>(null);
  // Each load carries a number; an answer to an older load is dropped.
  const generation = useRef(0);

  /** Fetches one page and shows it (appended after `after`), unless a newer load started meanwhile. */
  const load = useCallback((filters: AuditFilters, after: number | null) => {
    const mine = ++generation.current;
    fetchAuditPage(filters, after).then(
      (page) => {
        if (mine !== generation.current) return;
        setEntries((prev) => (after ? [...prev, ...page.entries] : page.entries));
        setCursor(page.nextCursor);
        setError(null);
        setPhase('ready');
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setError(err instanceof Error ? err.message : 'the server could not be reached');
        setPhase('error');
      },
    );
  }, []);

  useEffect(() => load(applied, null), [applied, load]);

  const set = (key: keyof AuditFilters) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));
  const apply = (filters: AuditFilters) => {
    setPhase('loading');
    setApplied({ ...filters });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply(form);
  };

  return (
    <>
      <form onSubmit={submit} className="flex flex-wrap items-end gap-3 rounded-lg border border-edge bg-panel p-4" aria-label="Filter the audit history">
        <label className="flex flex-col gap-1 text-sm">
          User
          <input value={form.user} onChange={set('user')} className={INPUT} placeholder="username" autoComplete="off" />
        </label>
        <label className="flex flex-col gap-1 text-sm">
          Action
          <select value={form.action} onChange={set('action')} className={INPUT}>
            <option value="">any</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {auditActionLabel(a)}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-sm">
          Study (UID)
          <input value={form.study} onChange={set('study')} className={`${INPUT} w-64 font-mono`} pattern={DICOM_UID_INPUT_PATTERN} autoComplete="off" />
        </label>
        <label className="flex flex-col gap-1 text-sm">
          From
          <input type="date" value={form.from} onChange={set('from')} className={INPUT} />
        </label>
        <label className="flex flex-col gap-1 text-sm">
          To
          <input type="date" value={form.to} onChange={set('to')} className={INPUT} />
        </label>
        <button type="submit" className={`${BUTTON} border-sky-500 bg-sky-900/40`}>
          Apply
        </button>
        <button
          type="button"
          className={BUTTON}
          onClick={() => {
            setForm(NO_FILTERS);
            apply(NO_FILTERS);
          }}
        >
          Clear
        </button>
        <a href={`/api/audit?${auditQuery(applied, { format: 'csv' })}`} className={`${BUTTON} ml-auto`} data-testid="audit-csv" download>
          Export CSV
        </a>
      </form>

      <section aria-labelledby="audit-table-title" className="rounded-lg border border-edge bg-panel p-4">
        <h2 id="audit-table-title" className="sr-only">
          Audit entries, newest first
        </h2>
        {error && (
          <p role="alert" className="mb-2 text-sm text-alert">
            {error}
          </p>
        )}
        <div className="-mx-2 overflow-x-auto">
          <table className="w-full min-w-[60rem] border-collapse text-left text-sm" data-testid="audit-table">
            <caption className="sr-only">Audit entries, newest first</caption>
            <thead className="text-xs uppercase tracking-wide text-muted">
              <tr>
                {['#', 'When', 'Who', 'From', 'What', 'Study / target', 'Details'].map((c) => (
                  <th key={c} scope="col" className="px-2 py-2 font-medium">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.seq} className="border-t border-edge align-top" data-testid="audit-row">
                  <td className="px-2 py-1.5 font-mono text-muted tabular-nums">{e.seq}</td>
                  <td className="px-2 py-1.5 whitespace-nowrap">
                    <time dateTime={e.at} title={formatFullDateTime(e.at)}>{formatDateTime(e.at)}</time>
                  </td>
                  <td className="px-2 py-1.5">{e.actorUsername ?? 'system'}</td>
                  <td className="px-2 py-1.5 font-mono text-xs">{e.ip ?? '—'}</td>
                  <td className="px-2 py-1.5">{auditActionLabel(e.action)}</td>
                  <td className="px-2 py-1.5 font-mono text-xs break-all">
                    {e.targetType === 'study' && e.targetId ? (
                      <a href={`/studies/${e.targetId}`} className="underline underline-offset-2 hover:text-ink">
                        {e.targetId}
                      </a>
                    ) : (
                      auditTargetLabel(e)
                    )}
                  </td>
                  <td className="px-2 py-1.5 text-xs">
                    <span className="text-muted">{summarise(e)}</span>
                    {e.note && <p className="mt-1 whitespace-pre-wrap text-ink">“{e.note}”</p>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="mt-3 flex items-center gap-3 text-sm text-muted" aria-live="polite">
          {phase === 'loading' ? 'Loading…' : `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} shown`}
          {cursor !== null && (
            <button
              type="button"
              className={BUTTON}
              disabled={phase === 'loading'}
              onClick={() => {
                setPhase('loading');
                load(applied, cursor);
              }}
            >
              Load older
            </button>
          )}
        </div>
      </section>
    </>
  );
}
