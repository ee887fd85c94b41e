import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver got it: the raw body bytes, for signature checks. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

/**
 * A real HTTP receiver on a free local port (tests and bench/notify.ts): records every request
 * and answers with the status `answer` picks (default 200); 0 never answers (a receiver that hangs).
 */
export async function startTestReceiver(answer: (req: ReceivedRequest, n: number) => number = () => 200): Promise<{ url: URL; received: ReceivedRequest[]; onRequest: (fn: (r: ReceivedRequest) => void) => void; close: () => Promise<void> }> {
  const received: ReceivedRequest[] = [];
  const listeners: ((r: ReceivedRequest) => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), at: performance.now() };
      received.push(r);
      const status = answer(r, received.length);
      for (const l of listeners) l(r);
      if (status === 0) return;
      res.writeHead(status, { 'content-type': 'application/json' }).end(status < 300 ? '{"ok":true}' : '{"error":"nope"}');
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/hooks/ich`),
    received,
    onRequest: (fn) => void listeners.push(fn),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
