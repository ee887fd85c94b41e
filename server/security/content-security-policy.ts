/**
 * The Content-Security-Policy of every page. Next's App Router streams inline bootstrap scripts and
 * then loads chunks from script, so a host allow-list cannot work: scripts need a per-request nonce
 * with 'strict-dynamic' (Next reads the nonce from the request's CSP header and stamps its own
 * scripts). Style attributes (bar widths, chart positions) need 'unsafe-inline' for styles only;
 * styles cannot run code. Development adds 'unsafe-eval' for React's dev tooling.
 */
export function contentSecurityPolicy(nonce: string, options: { dev: boolean }): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    // Same-origin fetches and the Socket.IO websocket ('self' covers ws: and wss: on our host).
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  return directives.join('; ');
}

/** A fresh, unguessable nonce (128 bits, base64). */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64');
}
