/**
 * The session cookie: an opaque random token (only its SHA-256 is stored), HttpOnly, SameSite=Strict,
 * Path=/, Secure when the request came over https or COOKIE_SECURE=on. With Secure the name gets the
 * `__Host-` prefix, which browsers only accept from a secure origin, without Domain and with Path=/.
 */
export const SESSION_COOKIE = 'ich_session';
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

/** When cookies carry `Secure`: always, never, or when the request itself was https. */
export type CookieSecureMode = 'auto' | 'on' | 'off';

/** The value of cookie `name` in a Cookie header, or undefined. */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The session token from a Cookie header (either cookie name), or undefined. */
export function readSessionToken(cookieHeader: string | null | undefined): string | undefined {
  return readCookie(cookieHeader, SECURE_SESSION_COOKIE) ?? readCookie(cookieHeader, SESSION_COOKIE);
}

/** True when the request arrived over https (directly or through a proxy that says so). */
export function isHttpsRequest(url: string, headers: Headers): boolean {
  const proto = headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  if (proto) return proto === 'https';
  return url.startsWith('https:');
}

/** Whether the cookie set in answer to this request carries `Secure`. */
export function cookieIsSecure(mode: CookieSecureMode, https: boolean): boolean {
  return mode === 'on' || (mode === 'auto' && https);
}

/** A Set-Cookie value that stores `token` for `maxAgeSeconds`. */
export function sessionCookie(token: string, secure: boolean, maxAgeSeconds: number): string {
  const name = secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
  return `${name}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}${secure ? '; Secure' : ''}`;
}

/** Set-Cookie values that delete both cookie names. */
export function clearSessionCookies(secure: boolean): string[] {
  const plain = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
  return secure ? [plain, `${SECURE_SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure`] : [plain];
}
