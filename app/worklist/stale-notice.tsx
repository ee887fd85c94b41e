import { formatDateTime } from '@/lib/format-date-time';
import type { Freshness } from './use-staleness';

/** The line over the worklist saying it is out of date (and since when), or that it is live again. */
export function StaleNotice({ freshness }: { freshness: Freshness }) {
  if (freshness.kind === 'stale') {
    return (
      <p role="alert" id="worklist-stale" data-testid="worklist-stale" className="mb-3 rounded border border-amber-400/60 bg-amber-400/10 px-3 py-2 text-sm text-amber-100">
        <strong className="font-semibold">Not updated since {formatDateTime(freshness.since, { seconds: true })}.</strong> The server cannot be reached; new
        studies and changes are not shown until it is. Reconnecting…
      </p>
    );
  }
  if (freshness.kind === 'live-again') {
    return (
      <p role="status" data-testid="worklist-live-again" className="mb-3 rounded border border-live/60 bg-live/10 px-3 py-2 text-sm text-green-100">
        Live again: the worklist is up to date.
      </p>
    );
  }
  return null;
}
