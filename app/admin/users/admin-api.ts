import { formatDateTime } from '@/lib/format-date-time';

/** One admin API call: the parsed JSON body, or the server's error message to show. Shared by the admin pages. */
export async function adminApi<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<{ ok: true; data: T } | { ok: false; message: string }> {
  try {
    const res = await fetch(path, {
      method: init.method ?? 'GET',
      cache: 'no-store',
      headers: init.body === undefined ? undefined : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (res.status === 401) {
      window.location.assign('/login');
      return { ok: false, message: 'signed out' };
    }
    const body = res.status === 204 ? null : ((await res.json().catch(() => null)) as unknown);
    if (!res.ok) return { ok: false, message: (body as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${res.status}` };
    return { ok: true, data: body as T };
  } catch {
    return { ok: false, message: 'the server cannot be reached' };
  }
}

/** A date for an admin table: the one app-wide format (date unless today), or a dash. */
export function formatWhen(value: string | null): string {
  return formatDateTime(value);
}
