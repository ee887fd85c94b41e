'use client';

import { StatusPage } from './status-page';

/**
 * A page that failed while rendering. Says so plainly and offers a retry; the details stay in the
 * server log (digest only here: an error message can carry patient data).
 */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <StatusPage
      code={error.digest ? `Error ${error.digest}` : 'Error'}
      title="This page could not be shown"
      actions={
        <button type="button" onClick={reset} className="rounded bg-ink px-3 py-2 text-sm font-medium text-surface">
          Try again
        </button>
      }
    >
      Something went wrong on our side. Try again; if it keeps failing, give the code above to IT. Studies keep arriving and being triaged meanwhile.
    </StatusPage>
  );
}
