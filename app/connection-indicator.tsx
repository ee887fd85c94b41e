'use client';

import type { ConnectionState } from './use-realtime';

const LOOK: Record<ConnectionState, { label: string; dot: string }> = {
  connecting: { label: 'Connecting…', dot: 'bg-amber-400' },
  'catching-up': { label: 'Catching up…', dot: 'bg-amber-400' },
  live: { label: 'Live', dot: 'bg-live' },
  offline: { label: 'Offline — reconnecting', dot: 'bg-alert' },
};

/** A small always-visible badge telling whether the worklist is receiving live updates. */
export function ConnectionIndicator({ state }: { state: ConnectionState }) {
  const look = LOOK[state];
  return (
    <span role="status" aria-live="polite" data-testid="connection" data-state={state} className="inline-flex items-center gap-2 rounded-full border border-edge px-3 py-1 text-sm">
      <span aria-hidden className={`h-2.5 w-2.5 rounded-full ${look.dot}`} />
      {look.label}
    </span>
  );
}
