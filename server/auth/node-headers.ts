import type { IncomingHttpHeaders } from 'node:http';

/** A `Headers`-like reader over Node's IncomingHttpHeaders (Socket.IO handshakes), joining repeats. */
export function headersFromNode(headers: IncomingHttpHeaders): Pick<Headers, 'get'> {
  return {
    get(name: string): string | null {
      const v = headers[name.toLowerCase()];
      if (v === undefined) return null;
      return Array.isArray(v) ? v.join(name.toLowerCase() === 'cookie' ? '; ' : ', ') : v;
    },
  };
}
