'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import { formatDateTime } from '@/lib/format-date-time';
import { plainReason } from '@/lib/plain-reason';
import { formatDicomDate, type PriorStudy } from '@/lib/prior-studies';
import { formatPercent, STATUS_TEXT } from '../../worklist/format';

type State = { phase: 'loading' } | { phase: 'ready'; priors: PriorStudy[] } | { phase: 'error'; message: string };

/** What a prior study came to, in words: its status, and the result when it had one. */
function outcomeOf(p: PriorStudy): string {
  if (p.outcome === 'not_analysable') return `not analysable${p.notAnalysableReason ? `: ${plainReason(p.notAnalysableReason)}` : ''}`;
  if (p.anyProbability === null) return 'not scored';
  return `any ${formatPercent(p.anyProbability)}`;
}

/**
 * The same patient's other studies held here (matched by PatientID on the server), newest first,
 * each one click away. The study date shows for roles that may see identities; the arrival time
 * otherwise.
 */
export function PriorStudies({ studyInstanceUid }: { studyInstanceUid: string }) {
  const [state, setState] = useState<State>({ phase: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    fetch(`/api/studies/${encodeURIComponent(studyInstanceUid)}/priors`, { cache: 'no-store', signal: controller.signal })
      .then(async (res) => {
        const body = (await res.json().catch(() => null)) as { priors?: PriorStudy[]; error?: { message: string } } | null;
        if (!res.ok || !body?.priors) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
        setState({ phase: 'ready', priors: body.priors });
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setState({ phase: 'error', message: err instanceof Error ? err.message : String(err) });
      });
    return () => controller.abort();
  }, [studyInstanceUid]);

  return (
    <section aria-labelledby="priors-title" className="rounded-lg border border-edge bg-panel p-4" data-testid="prior-studies">
      <h2 id="priors-title" className="mb-3 text-base font-medium">
        Prior studies{state.phase === 'ready' && state.priors.length > 0 ? ` (${state.priors.length})` : ''}
      </h2>
      {state.phase === 'loading' && <p className="text-sm text-muted">Loading…</p>}
      {state.phase === 'error' && <p className="text-sm text-alert">Prior studies could not be loaded ({state.message}).</p>}
      {state.phase === 'ready' && state.priors.length === 0 && <p className="text-sm text-muted">No other study of this patient is held here.</p>}
      {state.phase === 'ready' && state.priors.length > 0 && (
        <ul className="flex flex-col divide-y divide-edge text-sm">
          {state.priors.map((p) => (
            <li key={p.studyInstanceUid} data-testid="prior-study">
              <Link href={`/studies/${encodeURIComponent(p.studyInstanceUid)}`} className="flex flex-wrap items-baseline gap-x-2 py-1.5 hover:bg-surface">
                <span className="tabular-nums">{formatDicomDate(p.studyDate) ?? formatDateTime(p.receivedAt)}</span>
                {p.studyDescription && <span className="text-muted">{p.studyDescription}</span>}
                <span className="ml-auto flex items-baseline gap-2">
                  {p.flagged && <span className="rounded bg-alert/20 px-1.5 text-xs font-semibold text-alert">FLAGGED</span>}
                  {p.escalated && <span className="rounded bg-amber-500/20 px-1.5 text-xs font-semibold text-amber-300">ESCALATED</span>}
                  <span>{STATUS_TEXT[p.status]}</span>
                  <span className="text-muted">{outcomeOf(p)}</span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
