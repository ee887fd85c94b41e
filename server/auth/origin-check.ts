/**
 * CSRF defence in depth, on top of SameSite=Strict: a state-changing request authenticated by a
 * cookie must come from our own origin. Browsers send `Origin` on every cross-origin request and on
 * same-origin POST/PUT/PATCH/DELETE; a request with neither Origin nor Referer is refused, since a
 * browser always sends one of them with a state-changing fetch or form.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True for methods that may change state. */
export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** The host[:port] of an absolute URL, lower-cased, or null. */
function hostOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.host.toLowerCase() : null;
  } catch {
    return null;
  }
}

/**
 * True when the request's Origin (or, without one, its Referer) names the host the request was sent
 * to: the Host header, or X-Forwarded-Host set by a reverse proxy (a browser cannot set either
 * cross-origin without a CORS preflight, which this server never grants).
 */
export function isSameOrigin(headers: Pick<Headers, 'get'>): boolean {
  const source = headers.get('origin') ?? headers.get('referer');
  if (!source || source === 'null') return false;
  const from = hostOf(source);
  if (!from) return false;
  const targets = [headers.get('host'), headers.get('x-forwarded-host')?.split(',')[0]]
    .filter((h): h is string => !!h)
    .map((h) => h.trim().toLowerCase());
  return targets.includes(from);
}
