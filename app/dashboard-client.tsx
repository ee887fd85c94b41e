'use client';

import { ConnectionIndicator } from './connection-indicator';
import { useRealtime } from './use-realtime';

/** The dashboard shell: live connection state and server status. The worklist plugs in here. */
export function DashboardClient() {
  const { connection, status, lastHeartbeat } = useRealtime();
  return (
    <div className="mx-auto flex max-w-6xl flex-col gap-6 p-6">
      <header className="flex flex-wrap items-center justify-between gap-4 border-b border-edge pb-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">ICH Triage</h1>
          <p className="text-sm text-muted">Intracranial hemorrhage worklist — head CT</p>
        </div>
        <ConnectionIndicator state={connection} />
      </header>

      <section aria-labelledby="worklist-title" className="rounded-lg border border-edge bg-panel p-6">
        <h2 id="worklist-title" className="text-lg font-medium">Worklist</h2>
        <p className="mt-2 text-muted">No studies received yet.</p>
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
