/**
 * The client address of a request: the first X-Forwarded-For entry (Next's server fills it from
 * the socket when no proxy set it; behind a reverse proxy, the proxy's value). Only characters an
 * IPv4/IPv6 address can have are kept, so a forged header cannot put text into the journal.
 */
export function clientAddress(headers: Pick<Headers, 'get'>): string | null {
  const first = headers.get('x-forwarded-for')?.split(',')[0]?.trim() ?? '';
  return /^[0-9A-Fa-f:.]{2,45}$/.test(first) ? first : null;
}
