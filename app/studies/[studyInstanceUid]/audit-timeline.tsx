'use client';

import { useEffect, useId, useState } from 'react';
import { auditActionLabel, type AuditEntry } from '@/lib/audit';
import { formatDateTime, formatFullDateTime } from '@/lib/format-date-time';

interface Props {
  studyInstanceUid: string;
  /** Change it (e.g. a counter bumped after an action) to reload the timeline. */
  refreshKey?: number | string;
}

/** "Disagreed" / "Agreed" for feedback entries, the action's label otherwise. */
function describe(entry: AuditEntry): string {
  if (entry.action === 'study.feedback') return entry.details.verdict === 'disagree' ? 'Disagreed with the result' : 'Agreed with the result';
  return auditActionLabel(entry.action);
}

/** Who / when / from where, as one short line. */
function who(entry: AuditEntry): string {
  return `${entry.actorUsername ?? 'system'}${entry.ip ? ` from ${entry.ip}` : ''}`;
}

/** The study's audit history, oldest first: who did what, when and from where. */
export function AuditTimeline({ studyInstanceUid, refreshKey }: Props) {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();

  useEffect(() => {
    // A slower, older answer must not overwrite a newer one.
    let current = true;
    fetch(`/api/studies/${encodeURIComponent(studyInstanceUid)}/audit`, { cache: 'no-store' })
      .then(async (res) => {
        const json = (await res.json()) as { entries?: AuditEntry[]; error?: { message: string } };
        if (!current) return;
        if (!res.ok || !json.entries) setError(json.error?.message ?? `HTTP ${res.status}`);
        else {
          setEntries(json.entries);
          setError(null);
        }
      })
      .catch(() => current && setError('the server could not be reached'));
    return () => {
      current = false;
    };
  }, [studyInstanceUid, refreshKey]);

  return (
    <section aria-labelledby={titleId} className="rounded-lg border border-edge bg-panel p-4" data-testid="audit-timeline">
      <h2 id={titleId} className="mb-3 text-base font-medium">
        Audit history
      </h2>
      {error && (
        <p role="alert" className="text-sm text-alert">
          Could not load the history: {error}
        </p>
      )}
      {!error && entries === null && <p className="text-sm text-muted">Loading…</p>}
      {entries?.length === 0 && <p className="text-sm text-muted">Nothing recorded yet.</p>}
      {entries && entries.length > 0 && (
        <ol className="flex flex-col gap-3 border-l border-edge pl-4 text-sm">
          {entries.map((e) => (
            <li key={e.seq} className="relative" data-testid="audit-entry" data-action={e.action}>
              <span aria-hidden className={`absolute -left-[1.3rem] top-1.5 h-2 w-2 rounded-full ${e.action === 'study.escalated' || e.details.verdict === 'disagree' ? 'bg-alert' : 'bg-muted'}`} />
              <div className="flex flex-wrap items-baseline gap-x-2">
                <span className="font-medium">{describe(e)}</span>
                <span className="text-muted">by {who(e)}</span>
              </div>
              <time dateTime={e.at} className="block text-xs text-muted" title={formatFullDateTime(e.at)}>
                {formatDateTime(e.at)}
              </time>
              {e.note && <p className="mt-1 whitespace-pre-wrap rounded border border-edge bg-surface px-2 py-1">{e.note}</p>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
