'use client';

import { useState, type FormEvent } from 'react';
import { safeNextPath } from '@/lib/safe-next-path';

/**
 * Username and password; on success the browser holds the session cookie and moves on to `next`
 * (already checked to be a path on this site by the page).
 */
export function LoginForm({ next = '/' }: { next?: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
      });
      const body = (await res.json().catch(() => ({}))) as { user?: { mustChangePassword: boolean }; error?: { message: string } };
      if (!res.ok || !body.user) {
        setError(body.error?.message ?? `sign-in failed (HTTP ${res.status})`);
        return;
      }
      // A full navigation, so the server renders the next page with the new cookie.
      window.location.assign(body.user.mustChangePassword ? '/account/password' : (safeNextPath(next) ?? '/'));
    } catch {
      setError('the server cannot be reached');
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-4 rounded-lg border border-edge bg-panel p-6" aria-label="Sign in">
      <label className="flex flex-col gap-1 text-sm">
        Username
        <input name="username" autoComplete="username" required autoFocus className="rounded border border-edge bg-surface px-3 py-2" />
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Password
        <input name="password" type="password" autoComplete="current-password" required className="rounded border border-edge bg-surface px-3 py-2" />
      </label>
      {error && (
        <p role="alert" data-testid="login-error" className="text-sm text-alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy} className="rounded bg-ink px-3 py-2 font-medium text-surface disabled:opacity-60">
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
