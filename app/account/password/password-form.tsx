'use client';

import { useState, type FormEvent } from 'react';

const MIN_LENGTH = 12; // server/auth/password-hasher.ts MIN_PASSWORD_LENGTH; the server decides.

/** Current password, new password twice; on success continues to the dashboard. */
export function PasswordForm({ username }: { username: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const newPassword = String(form.get('newPassword') ?? '');
    if (newPassword !== form.get('confirmPassword')) {
      setError('the new passwords differ');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/api/auth/password', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ currentPassword: form.get('currentPassword'), newPassword }),
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { error?: { message: string } };
        setError(body.error?.message ?? `the password was not changed (HTTP ${res.status})`);
        return;
      }
      window.location.assign('/');
    } catch {
      setError('the server cannot be reached');
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-4 rounded-lg border border-edge bg-panel p-6" aria-label="Change password">
      <input type="hidden" name="username" autoComplete="username" defaultValue={username} />
      <label className="flex flex-col gap-1 text-sm">
        Current password
        <input name="currentPassword" type="password" autoComplete="current-password" required className="rounded border border-edge bg-surface px-3 py-2" />
      </label>
      <label className="flex flex-col gap-1 text-sm">
        New password (at least {MIN_LENGTH} characters)
        <input name="newPassword" type="password" autoComplete="new-password" minLength={MIN_LENGTH} required className="rounded border border-edge bg-surface px-3 py-2" />
      </label>
      <label className="flex flex-col gap-1 text-sm">
        New password again
        <input name="confirmPassword" type="password" autoComplete="new-password" minLength={MIN_LENGTH} required className="rounded border border-edge bg-surface px-3 py-2" />
      </label>
      {error && (
        <p role="alert" data-testid="password-error" className="text-sm text-alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy} className="rounded bg-ink px-3 py-2 font-medium text-surface disabled:opacity-60">
        {busy ? 'Saving…' : 'Save new password'}
      </button>
    </form>
  );
}
