'use client';

import { ConnectionIndicator } from './connection-indicator';
import { SiteHeader } from './site-header';
import { useRealtime } from './use-realtime';
import { useWorklist } from './worklist/use-worklist';
import { WorklistTable } from './worklist/worklist-table';

/** The dashboard: live connection state, the live worklist and server status. */
export function DashboardClient({ user }: { user: { username: string; role: string } }) {
  const worklist = useWorklist();
  const { connection, status, lastHeartbeat } = useRealtime(worklist.listeners);
  return (
    <div className="mx-auto flex max-w-7xl flex-col gap-6 p-6">
      <SiteHeader
        title="ICH Triage"
        subtitle="Intracranial hemorrhage worklist — head CT"
        user={user}
        current="/"
        extra={<ConnectionIndicator state={connection} />}
      />

      <section aria-labelledby="worklist-title" className="rounded-lg border border-edge bg-panel p-6">
        <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="worklist-title" className="text-lg font-medium">Worklist</h2>
          <p className="text-sm text-muted" role="status" aria-live="polite" data-testid="worklist-summary">
            {worklist.studies.length} active · {worklist.studies.filter((s) => s.flagged).length} flagged
            {worklist.unseenFlagged > 0 && <span className="ml-2 font-semibold text-alert">{worklist.unseenFlagged} new flagged</span>}
          </p>
        </div>
        <WorklistTable studies={worklist.studies} highlighted={worklist.highlighted} phase={worklist.phase} />
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
            {lastHeartbeat ? `#${lastHeartbeat.seq} at ${new Date(lastHeartbeat.serverTime).toLocaleTimeString()}` : '—'}
          </dd>
        </dl>
      </section>
    </div>
  );
}
