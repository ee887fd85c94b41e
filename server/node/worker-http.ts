import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { PERMISSIONS } from '@/lib/roles';
import type { AuthService } from '@/server/auth/auth-service';
import { errorResponse } from '@/server/http/error-response';
import type { HttpSettings } from '@/server/http/http-env';
import { prepareRequest } from '@/server/http/prepare-request';
import { authorize } from '@/server/http/require-auth';
import type { Logger } from '@/server/logging';
import type { Readiness, ServerMetrics } from '@/server/metrics';
import { readinessAnswer } from '@/server/metrics/readiness-answer';
import { explainListenError } from './listen-errors';
import type { Stoppable } from './node-context';

export interface WorkerHttpDeps {
  auth: Pick<AuthService, 'authenticate'>;
  readiness: Readiness;
  metrics: Pick<ServerMetrics, 'text'>;
  log: Logger;
}

/** The paths a worker node serves; everything else is 404 (it has no pages, API or DICOMweb). */
export const WORKER_HTTP_PATHS = ['/api/health/live', '/api/health/ready', '/metrics'] as const;

/**
 * What a worker node answers, as a fetch-style handler: the same three answers as a web node's
 * routes, with the same rules: live and ready are public (for supervisors and orchestrators),
 * /metrics needs an admin session or an admin-role API token (401 for a stranger, 403 for another
 * role), through requireAuth's own checks (server/http/require-auth.ts authorize). Never cached.
 */
export function workerHttpHandler(deps: WorkerHttpDeps): (request: Request) => Promise<Response> {
  return async (request) => {
    const { pathname } = new URL(request.url);
    if (!(WORKER_HTTP_PATHS as readonly string[]).includes(pathname)) {
      return errorResponse('NOT_FOUND', `a worker node serves only ${WORKER_HTTP_PATHS.join(', ')}`);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return errorResponse('NOT_FOUND', `only GET ${pathname} is served here`, { allow: 'GET, HEAD' });
    }
    let response: Response;
    try {
      response = await answer(pathname, request, deps);
    } catch (err) {
      deps.log.error({ err, path: pathname }, 'worker http request failed');
      response = errorResponse('INTERNAL', 'internal error');
    }
    response.headers.set('cache-control', 'no-store');
    return response;
  };
}

async function answer(pathname: string, request: Request, deps: WorkerHttpDeps): Promise<Response> {
  if (pathname === '/api/health/live') return Response.json({ status: 'ok' });
  if (pathname === '/api/health/ready') return readinessAnswer(deps.readiness, deps.log);
  const principal = await authorize(deps.auth, request, { roles: PERMISSIONS.administer });
  if (principal instanceof Response) return principal;
  const { contentType, body } = await deps.metrics.text();
  return new Response(body, { headers: { 'content-type': contentType } });
}

/**
 * Starts the worker's HTTP server on `port`/`host` behind the same edge checks as a web node's
 * (server/http/prepare-request.ts: Host against ALLOWED_HOSTS, forwarding headers only from
 * TRUSTED_PROXIES). A port that cannot be bound stops the node with WORKER_HTTP_PORT named.
 */
export async function startWorkerHttp(opts: WorkerHttpDeps & { port: number; host: string; http: HttpSettings }): Promise<Stoppable & { port: number }> {
  const handle = workerHttpHandler(opts);
  const server = createServer((req, res) => {
    serve(req, res, opts.http, handle).catch((err: unknown) => {
      opts.log.error({ err, path: req.url?.split('?')[0] }, 'worker http request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end();
    });
  });
  // Scrapes and probes are short: do not let an idle client hold the drain at shutdown.
  server.keepAliveTimeout = 5_000;
  await listen(server, opts.port, opts.host);
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, settings: HttpSettings, handle: (request: Request) => Promise<Response>): Promise<void> {
  if (!prepareRequest(req, settings)) {
    res.writeHead(421, { 'content-type': 'application/json', 'cache-control': 'no-store', connection: 'close' });
    res.end(JSON.stringify({ error: { code: 'HOST_NOT_ALLOWED', message: 'this host name is not served here (ALLOWED_HOSTS)' } }));
    return;
  }
  // Other methods never reach Request (which throws on CONNECT or TRACE): every path here is a GET.
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, errorResponse('NOT_FOUND', 'only GET is served here', { allow: 'GET, HEAD' }), false);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(name === 'cookie' ? '; ' : ', ') : value);
  }
  const request = new Request(new URL(req.url ?? '/', 'http://worker.invalid'), { method: req.method, headers });
  await send(res, await handle(request), req.method === 'GET');
}

async function send(res: ServerResponse, response: Response, withBody: boolean): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(withBody ? Buffer.from(await response.arrayBuffer()) : undefined);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(explainListenError(err, { what: 'worker HTTP', variable: 'WORKER_HTTP_PORT', port, host }));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
