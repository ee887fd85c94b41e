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

/** The /login address that returns to `path` once signed in (the worklist needs no return). */
export function loginHref(path: string): string {
  const next = safeNextPath(path);
  return next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login';
}
