/**
 * Set by the HTTP edge (create-http-server.ts) to PUBLIC_URL's origin, after deleting any copy the
 * client sent; route handlers read it through requestOrigin().
 */
export const PUBLIC_ORIGIN_HEADER = 'x-ich-public-origin';

/**
 * The origin clients use to reach this server, for URLs we hand out (STOW-RS RetrieveURL, the OIDC
 * callback): PUBLIC_URL when configured, else the scheme and host the request came in with. The
 * edge strips X-Forwarded-Proto/-Host unless a trusted proxy sent them, and checks Host against
 * ALLOWED_HOSTS, so neither names a host of the client's choosing.
 */
export function requestOrigin(request: Request): string {
  const configured = request.headers.get(PUBLIC_ORIGIN_HEADER);
  if (configured) return configured;
  const url = new URL(request.url);
  const proto = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  const host = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim() || request.headers.get('host') || url.host;
  return `${proto === 'https' || proto === 'http' ? proto : url.protocol.replace(':', '')}://${host}`;
}
