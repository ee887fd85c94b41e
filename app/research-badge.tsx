'use client';

import { useEffect, useState } from 'react';
import { researchBadgeFor } from './research-badge-text';

/**
 * "Research model — not for clinical use", beside the page title while the loaded model's
 * manifest says research. Reads the public /api/health once per page; shows nothing until then or
 * if it fails (the server refuses to start without a verified model, so a failure is transient).
 */
export function ResearchBadge() {
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    fetch('/api/health', { cache: 'no-store' })
      .then((r) => (r.ok ? r.json() : null))
      .then((body: unknown) => live && setText(researchBadgeFor(body)))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  if (!text) return null;
  return (
    <span data-testid="research-badge" title="Flags come from a research model whose figures were measured on public data and synthetic demo bleeds, not a clinical validation." className="rounded border border-amber-500/50 px-2 py-0.5 text-xs font-medium text-amber-300">
      {text}
    </span>
  );
}
