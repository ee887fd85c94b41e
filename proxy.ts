import { NextResponse, type NextRequest } from 'next/server';
import { contentSecurityPolicy, newNonce } from '@/server/security/content-security-policy';

/**
 * Gives every page request a fresh CSP nonce. The policy goes on the request too: Next reads the
 * nonce from there and puts it on the scripts it renders.
 */
export function proxy(request: NextRequest): NextResponse {
  const policy = contentSecurityPolicy(newNonce(), { dev: process.env.NODE_ENV === 'development' });
  const headers = new Headers(request.headers);
  headers.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

export const config = {
  // Pages only: static assets and JSON/DICOM endpoints render no HTML.
  matcher: [{ source: '/((?!api/|dicomweb/|_next/static|_next/image|favicon.ico).*)' }],
};
