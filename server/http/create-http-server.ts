import { createServer, type Server } from 'node:http';
import next from 'next';
import type { Logger } from '@/server/logging';
import { readHttpSettings, type HttpSettings } from './http-env';
import { prepareRequest } from './prepare-request';

export interface HttpServerHandle {
  server: Server;
  /** Closes Next's resources; the http server itself is closed by its owner. */
  closeNext: () => Promise<void>;
}

/**
 * Prepares Next (dev or production build) and an http.Server that hands it every request, after
 * the edge checks (prepare-request.ts: Host against ALLOWED_HOSTS, forwarding headers only from
 * TRUSTED_PROXIES). `http` defaults to trusting no proxy and the default allowed hosts.
 */
export async function createHttpServer(opts: { dev: boolean; dir: string; log: Logger; http?: HttpSettings }): Promise<HttpServerHandle> {
  const settings = opts.http ?? readHttpSettings({ TRUSTED_PROXIES: '', ALLOWED_HOSTS: undefined, PUBLIC_URL: undefined }).settings;
  const app = next({ dev: opts.dev, dir: opts.dir });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((req, res) => {
    if (!prepareRequest(req, settings)) {
      res.writeHead(421, { 'content-type': 'application/json', 'cache-control': 'no-store', connection: 'close' });
      res.end(JSON.stringify({ error: { code: 'HOST_NOT_ALLOWED', message: 'this host name is not served here (ALLOWED_HOSTS)' } }));
      return;
    }
    handle(req, res).catch((err: unknown) => {
      opts.log.error({ err, url: req.url }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ error: { code: 'INTERNAL', message: 'internal error' } }));
    });
  });
  return { server, closeNext: () => app.close() };
}
