import { createServer, type Server } from 'node:http';
import next from 'next';
import type { Logger } from '@/server/logging';

export interface HttpServerHandle {
  server: Server;
  /** Closes Next's resources; the http server itself is closed by its owner. */
  closeNext: () => Promise<void>;
}

/** Prepares Next (dev or production build) and an http.Server that hands it every request. */
export async function createHttpServer(opts: { dev: boolean; dir: string; log: Logger }): Promise<HttpServerHandle> {
  const app = next({ dev: opts.dev, dir: opts.dir });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.log.error({ err, url: req.url }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'INTERNAL', message: 'internal error' }));
    });
  });
  return { server, closeNext: () => app.close() };
}
