import { NextResponse, type NextRequest } from 'next/server';
import { loginHref, PAGE_PATH_HEADER } from '@/lib/safe-next-path';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from '@/server/auth/session-cookie';
import { contentSecurityPolicy, newNonce } from '@/server/security/content-security-policy';

/**
 * Gives every page request a fresh CSP nonce. The policy goes on the request too: Next reads the
 * nonce from there and puts it on the scripts it renders.
 */
export function proxy(request: NextRequest): NextResponse {
  // Signed out (no session cookie at all) on a page: to sign-in, remembering the page asked for,
  // so a study link opened from a pager or an e-mail lands on that study once signed in. A stale
  // cookie still reaches the page, whose own check sends it to /login?next= from PAGE_PATH_HEADER.
  const { pathname, search } = request.nextUrl;
  if (!hasSessionCookie(request) && !PUBLIC_PAGES.has(pathname)) {
    return NextResponse.redirect(new URL(loginHref(pathname + search), request.url));
  }
  const policy = contentSecurityPolicy(newNonce(), { dev: process.env.NODE_ENV === 'development' });
  const headers = new Headers(request.headers);
  headers.set('Content-Security-Policy', policy);
  headers.set(PAGE_PATH_HEADER, pathname + search);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

/** Pages a signed-out visitor may open. */
const PUBLIC_PAGES = new Set(['/login']);

function hasSessionCookie(request: NextRequest): boolean {
  return Boolean(request.cookies.get(SESSION_COOKIE)?.value || request.cookies.get(SECURE_SESSION_COOKIE)?.value);
}

export const config = {
  // Pages only: static assets and JSON/DICOM endpoints render no HTML.
  matcher: [{ source: '/((?!api/|dicomweb/|metrics$|_next/static|_next/image|favicon.ico|favicon.svg).*)' }],
};
