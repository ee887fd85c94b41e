'use client';

import './globals.css';
import { StatusPage } from './status-page';

/** The root layout itself failed: this replaces it, so it brings its own html and body. */
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans antialiased">
        <StatusPage
          code={error.digest ? `Error ${error.digest}` : 'Error'}
          title="ICH Triage could not start this page"
          actions={
            <button type="button" onClick={reset} className="rounded bg-ink px-3 py-2 text-sm font-medium text-surface">
              Try again
            </button>
          }
        >
          Something went wrong on our side. If it keeps failing, give the code above to IT.
        </StatusPage>
      </body>
    </html>
  );
}
