import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { isTrustedPeer, resolveClientAddress } from './client-address';
import { isAllowedHost } from './host-check';
import type { HttpSettings } from './http-env';
import { PUBLIC_ORIGIN_HEADER } from './request-origin';

/** Headers only a trusted proxy may set: from anyone else they are deleted before Next sees them. */
const FORWARDING_HEADERS = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'forwarded', 'x-real-ip'];

/**
 * Runs on every request before Next: refuses a Host not allowed (false: answer 421), drops
 * forwarding headers unless the peer is a trusted proxy, and leaves exactly one address in
 * X-Forwarded-For, the client's (resolveClientAddress), which every route then reads
 * (server/http/client-address.ts clientAddress). PUBLIC_URL's origin rides along for requestOrigin().
 */
export function prepareRequest(req: IncomingMessage, settings: HttpSettings): boolean {
  const peer = req.socket.remoteAddress;
  const client = resolveClientAddress(peer, headerText(req, 'x-forwarded-for'), settings.trustedProxies);
  const fromProxy = isTrustedPeer(peer, settings.trustedProxies);
  if (!fromProxy) for (const h of FORWARDING_HEADERS) delete req.headers[h];
  const host = (fromProxy ? headerText(req, 'x-forwarded-host')?.split(',')[0]?.trim() : undefined) || req.headers.host;
  if (!isAllowedHost(host, settings.allowedHosts)) return false;
  if (client) req.headers['x-forwarded-for'] = client;
  else delete req.headers['x-forwarded-for'];
  if (!fromProxy && (req.socket as TLSSocket).encrypted) req.headers['x-forwarded-proto'] = 'https';
  delete req.headers[PUBLIC_ORIGIN_HEADER];
  if (settings.publicUrl) req.headers[PUBLIC_ORIGIN_HEADER] = settings.publicUrl.origin;
  return true;
}

function headerText(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
