'use client';

import { useMemo } from 'react';
import { formatDateTime } from '@/lib/format-date-time';
import { ConnectionIndicator } from './connection-indicator';
import { KeyboardHelp } from './keyboard-help';
import { SiteHeader } from './site-header';
import { useRealtime } from './use-realtime';
import { FlaggedAlertBanner } from './worklist/flagged-alert-banner';
import { useAlertSound } from './worklist/use-alert-sound';
import { useHeldOrder } from './worklist/use-held-order';
import { useNow } from './worklist/use-now';
import { StaleNotice } from './worklist/stale-notice';
import { useStaleness } from './worklist/use-staleness';
import { useWorklist } from './worklist/use-worklist';
import { useWorklistFilter } from './worklist/use-worklist-filter';
import { filterStudies, filterToSearch, finishedViewOf } from './worklist/worklist-filter';
import { useFinishedStudies } from './worklist/use-finished-studies';
import { WorklistTable } from './worklist/worklist-table';
import { WORKLIST_KEYS } from './worklist/worklist-keys';
import { WorklistToolbar } from './worklist/worklist-toolbar';

/** The dashboard: live connection state, the live worklist and server status. */
export function DashboardClient({ user }: { user: { username: string; role: string } }) {
  const worklist = useWorklist();
  const { connection, status, lastHeartbeat } = useRealtime(worklist.listeners);
  const [filter, setFilter] = useWorklistFilter();
  // "Today" and "last 24 h" move with the clock; a minute's resolution is plenty.
  const now = useNow(60_000);
  // Reported / dismissed / all: the finished studies come from the server, after the live active ones.
  const finished = useFinishedStudies(finishedViewOf(filter), worklist.lastSeq);
  const shown = useMemo(() => filterStudies(finished ? [...worklist.studies, ...finished] : worklist.studies, filter, now), [worklist.studies, finished, filter, now]);
  const order = useHeldOrder(shown, filterToSearch(filter));
  const sound = useAlertSound(worklist.alerts[0]?.seq);
  const flagged = worklist.studies.filter((s) => s.flagged).length;
  const freshness = useStaleness(connection);
  const stale = freshness.kind === 'stale';

  return (
    <div className="mx-auto flex max-w-[100rem] flex-col gap-6 p-6">
      <SiteHeader
        title="ICH Triage"
        subtitle="Intracranial hemorrhage worklist — head CT"
        user={user}
        current="/"
        extra={
          <>
            <KeyboardHelp groups={WORKLIST_KEYS} />
            <ConnectionIndicator state={connection} />
          </>
        }
      />

      <FlaggedAlertBanner alerts={worklist.alerts} onDismiss={worklist.dismissAlerts} />

      <section aria-labelledby="worklist-title" className="rounded-lg border border-edge bg-panel p-6">
        <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="worklist-title" className="text-lg font-medium">Worklist</h2>
          <div className="flex flex-wrap items-baseline gap-4 text-sm">
            <p className="text-muted" role="status" aria-live="polite" data-testid="worklist-summary">
              {shown.length === worklist.studies.length ? `${worklist.studies.length} active` : `${shown.length} of ${worklist.studies.length} shown`} · {flagged} flagged
              {worklist.unseenFlagged > 0 && <span className="ml-2 font-semibold text-alert">{worklist.unseenFlagged} new flagged</span>}
            </p>
            <button
              type="button"
              onClick={sound.toggle}
              aria-pressed={sound.enabled}
              className={`rounded border px-2 py-1 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 ${sound.enabled ? 'border-sky-400 text-sky-300' : 'border-edge text-muted'}`}
              data-testid="alert-sound"
              data-tones-played={sound.played}
            >
              {sound.enabled ? 'Sound on for new flags' : 'Sound off'}
            </button>
          </div>
        </div>
        <StaleNotice freshness={freshness} />
        <WorklistToolbar filter={filter} onChange={setFilter} />
        {/* Always takes its line, so the table never shifts when the notice appears. */}
        <p className="mb-1 flex h-7 items-center gap-3 text-xs text-muted" data-testid="order-held">
          {order.pending > 0 && (
            <>
              Order held while you work in the list.
              <button type="button" onClick={order.release} className="rounded border border-sky-400 px-2 py-0.5 text-sky-300" data-testid="order-show">
                {order.pending} {order.pending === 1 ? 'update' : 'updates'} — show
              </button>
            </>
          )}
        </p>
        {/* Greyed while stale: what is on screen may no longer be true, and must not look current. */}
        <div data-testid="worklist-body" data-stale={stale || undefined} aria-describedby={stale ? 'worklist-stale' : undefined} className={stale ? 'opacity-50 grayscale transition-opacity' : 'transition-opacity'}>
          <WorklistTable order={order} highlighted={worklist.highlighted} phase={worklist.phase} total={worklist.studies.length} />
        </div>
      </section>

      <section aria-labelledby="system-title" className="rounded-lg border border-edge bg-panel p-6 text-sm">
        <h2 id="system-title" className="mb-3 text-lg font-medium">System</h2>
        <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1">
          <dt className="text-muted">Server version</dt>
          <dd data-testid="server-version">{status?.version ?? '—'}</dd>
          <dt className="text-muted">Model</dt>
          <dd>{status?.model ? `${status.model.name}@${status.model.version} on ${status.model.provider}` : 'No model loaded'}</dd>
          <dt className="text-muted">Last heartbeat</dt>
          <dd data-testid="last-heartbeat" className="font-mono">
            {lastHeartbeat ? `#${lastHeartbeat.seq} at ${formatDateTime(lastHeartbeat.serverTime, { seconds: true })}` : '—'}
          </dd>
        </dl>
      </section>
    </div>
  );
}
