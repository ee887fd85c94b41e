/** Longest return path kept: enough for a study UID and a slice, short enough to bound a URL. */
const MAX_LENGTH = 512;
/** A base no real request has: a path that resolves onto another origin is not ours. */
const BASE = 'http://next-path.invalid';

/**
 * The page to return to after sign-in, or null when `raw` is not a plain same-origin path. Refused:
 * absolute URLs (`https:`, `javascript:`), protocol-relative `//host`, any backslash (browsers read
 * `/\host` as `//host`), control characters, and the sign-in page itself (a loop). This is the
 * whole defence against an open redirect, so it allows only what it can prove stays here.
 */
export function safeNextPath(raw: string | null | undefined): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_LENGTH) return null;
  if (!raw.startsWith('/') || raw.startsWith('//')) return null;
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE) return null;
  if (url.pathname === '/login' || url.pathname.startsWith('/api/')) return null;
  return url.pathname + url.search + url.hash;
}

/**
 * The /login address that returns to `path` once signed in (the worklist needs no return), with
 * `params` (e.g. `{ oidc: 'no_role' }`, why single sign-on was refused) before `next`.
 */
export function loginHref(path: string, params: Record<string, string> = {}): string {
  const query = new URLSearchParams(params);
  const next = safeNextPath(path);
  if (next && next !== '/') query.set('next', next);
  const encoded = query.toString();
  return encoded ? `/login?${encoded}` : '/login';
}

/**
 * The request header through which proxy.ts tells a page its own path and query, so a page whose
 * session turns out stale can send the visitor to /login?next=<that path>. The proxy sets it on
 * every page request, overwriting whatever a client sent (and the value is checked by
 * safeNextPath before use either way).
 */
export const PAGE_PATH_HEADER = 'x-ich-page-path';
