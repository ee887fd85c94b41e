import { isIP, type BlockList } from 'node:net';

/** An address as compared and recorded: IPv4-mapped IPv6 (`::ffff:10.0.0.1`) as plain IPv4; null when not an IP. */
export function normaliseAddress(value: string | undefined | null): string | null {
  if (!value) return null;
  let v = value.trim();
  if (v.startsWith('[') && v.includes(']')) v = v.slice(1, v.indexOf(']')); // [v6]:port
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(v);
  if (mapped) v = mapped[1]!;
  if (isIP(v) === 0 && /^\d{1,3}(?:\.\d{1,3}){3}:\d{1,5}$/.test(v)) v = v.slice(0, v.lastIndexOf(':')); // v4:port
  return isIP(v) === 0 ? null : v.toLowerCase();
}

function isTrusted(address: string, trusted: BlockList): boolean {
  return trusted.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/** True when the socket's peer is one of TRUSTED_PROXIES (only then are forwarding headers believed). */
export function isTrustedPeer(peer: string | undefined, trusted: BlockList): boolean {
  const address = normaliseAddress(peer);
  return address !== null && isTrusted(address, trusted);
}

/**
 * Who is on the other end, for the throttle and the journal: the socket's peer, unless that peer is
 * a trusted proxy; then X-Forwarded-For is read from the right, skipping trusted proxies, and the
 * first address not trusted is the client (entries left of it were written by the client and prove
 * nothing). Run once per request by the HTTP edge (create-http-server.ts).
 */
export function resolveClientAddress(peer: string | undefined, forwardedFor: string | undefined, trusted: BlockList): string | null {
  const direct = normaliseAddress(peer);
  if (!direct || !isTrusted(direct, trusted) || !forwardedFor) return direct;
  let client = direct;
  const hops = forwardedFor.split(',').reverse();
  for (const hop of hops) {
    const address = normaliseAddress(hop);
    // A malformed entry is where the chain stops being ours: keep the last proxy that vouched.
    if (!address) return client;
    client = address;
    if (!isTrusted(address, trusted)) return address;
  }
  return client;
}

/**
 * The client address of a request in a route handler. The HTTP edge replaces X-Forwarded-For with
 * the one address resolveClientAddress() found, so reading its first entry is safe here; only
 * characters an address can have are kept, so a route called without the edge (tests) cannot put
 * text into the journal.
 */
export function clientAddress(headers: Pick<Headers, 'get'>): string | null {
  return normaliseAddress(headers.get('x-forwarded-for')?.split(',')[0]);
}
