import { clearSessionCookies, cookieIsSecure, isHttpsRequest, sessionCookie } from '@/server/auth/session-cookie';
import type { AuthService } from '@/server/auth/auth-service';

/** Whether the cookie set in answer to `request` carries Secure (COOKIE_SECURE and the scheme). */
export function secureFor(request: Request, auth: AuthService): boolean {
  return cookieIsSecure(auth.cookieSecure, isHttpsRequest(request.url, request.headers));
}

/** Headers that store a new session token in the browser. */
export function setSessionHeaders(request: Request, auth: AuthService, token: string): Headers {
  const headers = new Headers({ 'cache-control': 'no-store' });
  headers.append('set-cookie', sessionCookie(token, secureFor(request, auth), auth.sessionMaxAgeMs / 1000));
  return headers;
}

/** Headers that delete the session cookie. */
export function clearSessionHeaders(request: Request, auth: AuthService): Headers {
  const headers = new Headers({ 'cache-control': 'no-store' });
  for (const c of clearSessionCookies(secureFor(request, auth))) headers.append('set-cookie', c);
  return headers;
}
