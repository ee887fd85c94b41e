'use client';

import { useState } from 'react';

/**
 * A secret shown exactly once (a one-time password, a new token) with a copy button. It lives only in
 * this component's props: dismissing it drops it for good.
 */
export function SecretOnce({ title, secret, note, onDismiss }: { title: string; secret: string; note: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      setCopied('failed'); // no clipboard (plain http): the value stays selectable
    }
  }
  return (
    <div role="status" data-testid="secret-once" className="flex flex-col gap-2 rounded-lg border border-live/40 bg-panel p-4 text-sm">
      <p className="font-medium">{title}</p>
      <div className="flex flex-wrap items-center gap-2">
        <code data-testid="secret-value" className="select-all break-all rounded bg-surface px-2 py-1 font-mono">
          {secret}
        </code>
        <button type="button" onClick={copy} className="rounded border border-edge px-3 py-1 hover:bg-surface">
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p className="text-muted">
        {note}
        {copied === 'failed' && ' Copying is blocked here: select the value and copy it by hand.'}
      </p>
      <button type="button" onClick={onDismiss} className="self-start rounded border border-edge px-3 py-1 hover:bg-surface">
        Done, hide it
      </button>
    </div>
  );
}
