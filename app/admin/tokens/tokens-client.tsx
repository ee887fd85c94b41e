'use client';

import { useState, type FormEvent } from 'react';
import { ROLES } from '@/lib/roles';
import { useNow } from '../../worklist/use-now';
import { SiteHeader } from '../../site-header';
import { adminApi, formatWhen } from '../users/admin-api';
import { SecretOnce } from '../users/secret-once';
import { useAdminList } from '../users/use-admin-list';

/** GET /api/auth/tokens row (dates as JSON strings). */
type TokenRow = { id: string; name: string; role: string; createdAt: string; lastUsedAt: string | null; expiresAt: string | null; revokedAt: string | null };

function statusOf(t: TokenRow, now: number): { label: string; tone: string; usable: boolean } {
  if (t.revokedAt) return { label: `Revoked ${formatWhen(t.revokedAt)}`, tone: 'text-muted', usable: false };
  if (t.expiresAt && Date.parse(t.expiresAt) <= now) return { label: 'Expired', tone: 'text-muted', usable: false };
  return { label: 'Active', tone: 'text-live', usable: true };
}

/** Service tokens for integrations (modalities, PACS, scripts): the list, a new-token form and revoke. */
export function TokensClient({ user }: { user: { username: string; role: string } }) {
  const { rows: tokens, error, setError, load } = useAdminList<TokenRow>('/api/auth/tokens', 'tokens');
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const days = String(data.get('expiresInDays') ?? '').trim();
    setBusy(true);
    setError(null);
    const r = await adminApi<{ id: string; token: string }>('/api/auth/tokens', {
      method: 'POST',
      body: { name, role: data.get('role'), ...(days ? { expiresInDays: Number(days) } : {}) },
    });
    if (r.ok) {
      setCreated({ name, token: r.data.token });
      form.reset();
      await load();
    } else setError(r.message);
    setBusy(false);
  }

  async function revoke(t: TokenRow) {
    if (!window.confirm(`Revoke "${t.name}"? Whatever uses it is refused from now on.`)) return;
    setBusy(true);
    setError(null);
    const r = await adminApi(`/api/auth/tokens/${encodeURIComponent(t.id)}`, { method: 'DELETE' });
    if (!r.ok) setError(r.message);
    await load();
    setBusy(false);
  }

  const now = useNow(30_000);
  return (
    <div className="mx-auto flex max-w-6xl flex-col gap-6 p-6">
      <SiteHeader current="/admin/tokens" title="Service tokens" subtitle="Bearer tokens for integrations; only a hash is stored. Tokens from API_TOKENS are managed by that setting." user={user} />

      <section aria-labelledby="new-token" className="flex flex-col gap-4 rounded-lg border border-edge bg-panel p-6">
        <h2 id="new-token" className="text-lg font-medium">New token</h2>
        <form onSubmit={create} className="flex flex-wrap items-end gap-3 text-sm" aria-label="Create a token">
          <label className="flex flex-col gap-1">
            Name
            <input name="name" required pattern="[A-Za-z0-9_.\-]{1,64}" placeholder="ct-scanner-2" className="rounded border border-edge bg-surface px-3 py-2" />
          </label>
          <label className="flex flex-col gap-1">
            Role
            <select name="role" defaultValue="integration" className="rounded border border-edge bg-surface px-3 py-2">
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <label className="flex flex-col gap-1">
            Expires in days <span className="text-xs text-muted">(empty: never)</span>
            <input name="expiresInDays" type="number" min={1} max={3650} className="w-32 rounded border border-edge bg-surface px-3 py-2" />
          </label>
          <button type="submit" disabled={busy} className="rounded bg-ink px-3 py-2 font-medium text-surface disabled:opacity-60">
            Create
          </button>
        </form>
        {created && (
          <SecretOnce
            title={`Token "${created.name}"`}
            secret={created.token}
            note="Shown only now: store it in the integration's configuration. It is sent as Authorization: Bearer <token>."
            onDismiss={() => setCreated(null)}
          />
        )}
      </section>

      {error && (
        <p role="alert" data-testid="admin-error" className="text-sm text-alert">
          {error}
        </p>
      )}

      <section aria-labelledby="token-list" className="rounded-lg border border-edge bg-panel p-6">
        <h2 id="token-list" className="mb-3 text-lg font-medium">Tokens</h2>
        {tokens === null ? (
          <p className="text-muted">{error ? 'The tokens could not be loaded.' : 'Loading…'}</p>
        ) : tokens.length === 0 ? (
          <p className="text-muted">No tokens yet.</p>
        ) : (
          <div className="-mx-2 overflow-x-auto">
            <table className="w-full min-w-[48rem] border-collapse text-left text-sm" aria-label="Service tokens" data-testid="tokens-table">
              <thead className="text-xs uppercase tracking-wide text-muted">
                <tr>
                  {['Name', 'Role', 'Created', 'Last used', 'Expires', 'Status', ''].map((c, i) => (
                    <th key={i} scope="col" className="px-3 py-2 font-medium">
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {tokens.map((t) => {
                  const status = statusOf(t, now);
                  return (
                    <tr key={t.id} className="border-t border-edge" data-testid={`token-${t.name}`}>
                      <td className="px-3 py-2 font-medium">{t.name}</td>
                      <td className="px-3 py-2">{t.role}</td>
                      <td className="px-3 py-2 text-muted">{formatWhen(t.createdAt)}</td>
                      <td className="px-3 py-2 text-muted">{formatWhen(t.lastUsedAt)}</td>
                      <td className="px-3 py-2 text-muted">{t.expiresAt ? formatWhen(t.expiresAt) : 'never'}</td>
                      <td className={`px-3 py-2 ${status.tone}`}>{status.label}</td>
                      <td className="px-3 py-2">
                        {status.usable && (
                          <button type="button" disabled={busy} onClick={() => void revoke(t)} aria-label={`Revoke ${t.name}`} className="rounded border border-edge px-3 py-1 hover:bg-surface disabled:opacity-60">
                            Revoke
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
