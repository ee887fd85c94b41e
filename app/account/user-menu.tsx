'use client';

import { useState } from 'react';

/** Who is signed in, and the sign-out button (revokes the session, then back to /login). */
export function UserMenu({ username, role }: { username: string; role: string }) {
  const [busy, setBusy] = useState(false);
  async function signOut() {
    setBusy(true);
    await fetch('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
    window.location.assign('/login');
  }
  return (
    <div className="flex items-center gap-3 text-sm">
      <span data-testid="signed-in-user">
        {username} <span className="text-muted">({role})</span>
      </span>
      <button type="button" onClick={signOut} disabled={busy} className="rounded border border-edge px-3 py-1 hover:bg-panel disabled:opacity-60">
        Sign out
      </button>
    </div>
  );
}
