import Link from 'next/link';
import type { FlaggedAlert } from './worklist-state';

interface Props {
  alerts: readonly FlaggedAlert[];
  onDismiss: () => void;
}

/** "New flagged study: J.D. …4821 — Open": the newest live flag, announced to screen readers too. */
export function FlaggedAlertBanner({ alerts, onDismiss }: Props) {
  const [latest, ...older] = alerts;
  if (!latest) return null;
  return (
    <div role="alert" className="flex flex-wrap items-center gap-3 rounded-lg border border-alert bg-alert/15 px-4 py-3 text-sm" data-testid="flagged-alert">
      <span className="font-semibold text-alert">New flagged study:</span>
      <span>{latest.patient}</span>
      <Link href={`/studies/${latest.studyInstanceUid}`} className="rounded bg-alert px-3 py-1 font-semibold text-surface focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400" data-testid="flagged-alert-open">
        Open
      </Link>
      {older.length > 0 && <span className="text-muted">and {older.length} more flagged since</span>}
      <button type="button" onClick={onDismiss} className="ml-auto text-muted underline-offset-4 hover:underline" aria-label="Dismiss the flagged-study alert">
        Dismiss
      </button>
    </div>
  );
}
