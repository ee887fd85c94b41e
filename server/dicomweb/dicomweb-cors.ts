/**
 * CORS for /dicomweb (a viewer served from another origin, e.g. OHIF): only origins listed in
 * DICOMWEB_CORS_ORIGINS get the headers, matched exactly; nothing is ever `*`. Credentials are
 * allowed so a viewer may send a bearer token or, on the same site, the session cookie.
 */
export function corsHeaders(origins: readonly string[], requestOrigin: string | null): Record<string, string> {
  const base = { vary: 'Origin' };
  if (!requestOrigin || !origins.includes(requestOrigin)) return base;
  return {
    ...base,
    'access-control-allow-origin': requestOrigin,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'Content-Type, Content-Length, Content-Location',
  };
}

/** The answer to a preflight (OPTIONS): 204 with what a DICOMweb read may send, or 403 for an origin not listed. */
export function preflight(origins: readonly string[], request: Request): Response {
  const origin = request.headers.get('origin');
  if (!origin || !origins.includes(origin)) return new Response(null, { status: 403, headers: { vary: 'Origin', 'cache-control': 'no-store' } });
  return new Response(null, {
    status: 204,
    headers: {
      ...corsHeaders(origins, origin),
      'access-control-allow-methods': 'GET, OPTIONS',
      'access-control-allow-headers': 'Authorization, Accept, Content-Type',
      'access-control-max-age': '600',
      'cache-control': 'no-store',
    },
  });
}
