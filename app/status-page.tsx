import type { ReactNode } from 'react';

/**
 * The frame of the not-found and error pages: the app's look (not Next's bare white page), what
 * happened in words, and a way back. No data, no session needed: it renders for anyone.
 */
export function StatusPage({ code, title, children, actions }: { code: string; title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center gap-4 p-6" data-testid="status-page">
      <p className="font-mono text-sm text-muted">{code}</p>
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      <div className="text-sm text-muted">{children}</div>
      <div className="flex flex-wrap gap-3">
        {actions}
        <a href="/" className="rounded border border-edge px-3 py-2 text-sm hover:bg-panel focus-visible:outline-2 focus-visible:outline-sky-400" data-testid="back-to-worklist">
          Back to the worklist
        </a>
      </div>
    </main>
  );
}
