'use client';

import { useState, type FormEvent } from 'react';
import { USER_ROLES, type UserRole } from '@/lib/roles';
import { useNow } from '../../worklist/use-now';
import { SiteHeader } from '../../site-header';
import { adminApi, formatWhen } from './admin-api';
import { SecretOnce } from './secret-once';
import { useAdminList } from './use-admin-list';

/** GET /api/auth/users row (dates as JSON strings). */
type UserRow = {
  id: string;
  username: string;
  displayName: string | null;
  role: string;
  mustChangePassword: boolean;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  disabledAt: string | null;
};

function statusOf(u: UserRow, now: number): { label: string; tone: string } {
  if (u.disabledAt) return { label: 'Disabled', tone: 'text-alert' };
  if (u.lockedUntil && Date.parse(u.lockedUntil) > now) return { label: `Locked until ${formatWhen(u.lockedUntil)}`, tone: 'text-alert' };
  if (u.mustChangePassword) return { label: 'Must choose a password', tone: 'text-muted' };
  return { label: 'Active', tone: 'text-live' };
}

/** The users table and the new-user form; every change goes through the admin API and reloads the list. */
export function UsersClient({ user }: { user: { id: string; username: string; role: string } }) {
  const { rows: users, error, setError, load } = useAdminList<UserRow>('/api/auth/users', 'users');
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ username: string; oneTimePassword: string } | null>(null);
  /** The account whose "Reset password" was pressed once: a second press confirms. */
  const [confirmReset, setConfirmReset] = useState<string | null>(null);
  const [reset, setReset] = useState<{ username: string; oneTimePassword: string } | null>(null);

  async function resetPassword(u: UserRow) {
    setBusy(true);
    setError(null);
    setConfirmReset(null);
    const r = await adminApi<{ oneTimePassword: string }>(`/api/auth/users/${encodeURIComponent(u.id)}/password-reset`, { method: 'POST' });
    if (r.ok) setReset({ username: u.username, oneTimePassword: r.data.oneTimePassword });
    else setError(r.message);
    await load();
    setBusy(false);
  }

  async function change(id: string, body: { role?: UserRole; disabled?: boolean; unlock?: true }) {
    setBusy(true);
    setError(null);
    const r = await adminApi(`/api/auth/users/${encodeURIComponent(id)}`, { method: 'PATCH', body });
    if (!r.ok) setError(r.message);
    await load();
    setBusy(false);
  }

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const displayName = String(data.get('displayName') ?? '').trim();
    setBusy(true);
    setError(null);
    const r = await adminApi<{ user: { username: string; oneTimePassword: string } }>('/api/auth/users', {
      method: 'POST',
      body: { username: data.get('username'), role: data.get('role'), ...(displayName ? { displayName } : {}) },
    });
    if (r.ok) {
      setCreated(r.data.user);
      form.reset();
      await load();
    } else setError(r.message);
    setBusy(false);
  }

  const now = useNow(30_000);
  return (
    <div className="mx-auto flex max-w-6xl flex-col gap-6 p-6">
      <SiteHeader current="/admin/users" title="Users" subtitle="Accounts and their roles. Single sign-on accounts take their role from the identity provider at each sign-in." user={user} />

      <section aria-labelledby="new-user" className="flex flex-col gap-4 rounded-lg border border-edge bg-panel p-6">
        <h2 id="new-user" className="text-lg font-medium">New account</h2>
        <form onSubmit={create} className="flex flex-wrap items-end gap-3 text-sm" aria-label="Create an account">
          <label className="flex flex-col gap-1">
            Username
            <input name="username" required pattern="[A-Za-z0-9_.@\-]{1,64}" className="rounded border border-edge bg-surface px-3 py-2" />
          </label>
          <label className="flex flex-col gap-1">
            Display name <span className="text-xs text-muted">(optional)</span>
            <input name="displayName" maxLength={128} className="rounded border border-edge bg-surface px-3 py-2" />
          </label>
          <label className="flex flex-col gap-1">
            Role
            <select name="role" defaultValue="clinician" className="rounded border border-edge bg-surface px-3 py-2">
              {USER_ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy} className="rounded bg-ink px-3 py-2 font-medium text-surface disabled:opacity-60">
            Create
          </button>
        </form>
        {created && (
          <SecretOnce
            title={`One-time password for ${created.username}`}
            secret={created.oneTimePassword}
            note="Shown only now. Give it to the person by a safe channel; they must choose their own password at first sign-in."
            onDismiss={() => setCreated(null)}
          />
        )}
      </section>

      {error && (
        <p role="alert" data-testid="admin-error" className="text-sm text-alert">
          {error}
        </p>
      )}

      {reset && (
        <SecretOnce
          title={`New one-time password for ${reset.username}`}
          secret={reset.oneTimePassword}
          note="Shown only now. Their sessions have ended; they must choose their own password at the next sign-in. Give it to the person by a safe channel."
          onDismiss={() => setReset(null)}
        />
      )}

      <section aria-labelledby="user-list" className="rounded-lg border border-edge bg-panel p-6">
        <h2 id="user-list" className="mb-3 text-lg font-medium">Accounts</h2>
        {users === null ? (
          <p className="text-muted">{error ? 'The accounts could not be loaded.' : 'Loading…'}</p>
        ) : (
          <div className="-mx-2 overflow-x-auto">
            <table className="w-full min-w-[48rem] border-collapse text-left text-sm" aria-label="Accounts" data-testid="users-table">
              <thead className="text-xs uppercase tracking-wide text-muted">
                <tr>
                  {['User', 'Role', 'Last sign-in', 'Status', 'Actions'].map((c) => (
                    <th key={c} scope="col" className="px-3 py-2 font-medium">
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {users.map((u) => {
                  const self = u.id === user.id;
                  const status = statusOf(u, now);
                  const locked = !!u.lockedUntil && Date.parse(u.lockedUntil) > now;
                  return (
                    <tr key={u.id} className="border-t border-edge" data-testid={`user-${u.username}`}>
                      <td className="px-3 py-2">
                        <span className="font-medium">{u.username}</span>
                        {u.displayName && <span className="ml-2 text-muted">{u.displayName}</span>}
                        {self && <span className="ml-2 text-xs text-muted">(you)</span>}
                      </td>
                      <td className="px-3 py-2">
                        <select
                          aria-label={`Role of ${u.username}`}
                          value={u.role}
                          disabled={busy || self}
                          title={self ? 'You cannot change your own role' : undefined}
                          onChange={(e) => void change(u.id, { role: e.target.value as UserRole })}
                          className="rounded border border-edge bg-surface px-2 py-1 disabled:opacity-60"
                        >
                          {USER_ROLES.map((r) => (
                            <option key={r}>{r}</option>
                          ))}
                        </select>
                      </td>
                      <td className="px-3 py-2 text-muted">{formatWhen(u.lastLoginAt)}</td>
                      <td className={`px-3 py-2 ${status.tone}`}>{status.label}</td>
                      <td className="flex flex-wrap gap-2 px-3 py-2">
                        <button
                          type="button"
                          disabled={busy || self}
                          onClick={() => void change(u.id, { disabled: !u.disabledAt })}
                          className="rounded border border-edge px-3 py-1 hover:bg-surface disabled:opacity-60"
                        >
                          {u.disabledAt ? 'Enable' : 'Disable'}
                        </button>
                        {!self && (
                          <button
                            type="button"
                            disabled={busy}
                            data-testid={`reset-${u.username}`}
                            onClick={() => (confirmReset === u.id ? void resetPassword(u) : setConfirmReset(u.id))}
                            onBlur={() => setConfirmReset((id) => (id === u.id ? null : id))}
                            className={`rounded border px-3 py-1 hover:bg-surface disabled:opacity-60 ${confirmReset === u.id ? 'border-alert text-alert' : 'border-edge'}`}
                          >
                            {confirmReset === u.id ? 'Confirm reset' : 'Reset password…'}
                          </button>
                        )}
                        {locked && (
                          <button type="button" disabled={busy} onClick={() => void change(u.id, { unlock: true })} className="rounded border border-edge px-3 py-1 hover:bg-surface disabled:opacity-60">
                            Unlock
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
