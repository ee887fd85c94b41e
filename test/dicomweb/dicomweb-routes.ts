import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
/** The DICOMweb route table of the tests: URL path → the Next route handler, as Next would route it. */
import * as stow from '@/app/dicomweb/studies/route';
import * as study from '@/app/dicomweb/studies/[study]/route';
import * as studyInstances from '@/app/dicomweb/studies/[study]/instances/route';
import * as studyMeta from '@/app/dicomweb/studies/[study]/metadata/route';
import * as series from '@/app/dicomweb/studies/[study]/series/route';
import * as oneSeries from '@/app/dicomweb/studies/[study]/series/[series]/route';
import * as seriesInstances from '@/app/dicomweb/studies/[study]/series/[series]/instances/route';
import * as seriesMeta from '@/app/dicomweb/studies/[study]/series/[series]/metadata/route';
import * as instance from '@/app/dicomweb/studies/[study]/series/[series]/instances/[instance]/route';
import * as frames from '@/app/dicomweb/studies/[study]/series/[series]/instances/[instance]/frames/[frames]/route';
import * as instanceMeta from '@/app/dicomweb/studies/[study]/series/[series]/instances/[instance]/metadata/route';

export const ORIGIN = 'http://triage.local';

type Handler = (r: Request, c?: { params: Promise<Record<string, string>> }) => Promise<Response>;
/** Route table of the small DICOMweb client below: URL path pattern → the Next handler module. */
export const ROUTES: [RegExp, string[], { GET?: Handler; OPTIONS?: Handler; POST?: Handler }][] = [
  [/^\/dicomweb\/studies$/, [], stow as never],
  [/^\/dicomweb\/studies\/([^/]+)$/, ['study'], study as never],
  [/^\/dicomweb\/studies\/([^/]+)\/metadata$/, ['study'], studyMeta as never],
  [/^\/dicomweb\/studies\/([^/]+)\/series$/, ['study'], series as never],
  [/^\/dicomweb\/studies\/([^/]+)\/instances$/, ['study'], studyInstances as never],
  [/^\/dicomweb\/studies\/([^/]+)\/series\/([^/]+)$/, ['study', 'series'], oneSeries as never],
  [/^\/dicomweb\/studies\/([^/]+)\/series\/([^/]+)\/metadata$/, ['study', 'series'], seriesMeta as never],
  [/^\/dicomweb\/studies\/([^/]+)\/series\/([^/]+)\/instances$/, ['study', 'series'], seriesInstances as never],
  [/^\/dicomweb\/studies\/([^/]+)\/series\/([^/]+)\/instances\/([^/]+)$/, ['study', 'series', 'instance'], instance as never],
  [/^\/dicomweb\/studies\/([^/]+)\/series\/([^/]+)\/instances\/([^/]+)\/metadata$/, ['study', 'series', 'instance'], instanceMeta as never],
  [/^\/dicomweb\/studies\/([^/]+)\/series\/([^/]+)\/instances\/([^/]+)\/frames\/([^/]+)$/, ['study', 'series', 'instance', 'frames'], frames as never],
];

/** A tiny DICOMweb client: absolute or relative URL in, the route handler's Response out (as Next would route it). */
export async function call(url: string, init: { as?: string; method?: 'GET' | 'OPTIONS' | 'POST'; origin?: string; body?: BodyInit; contentType?: string } = {}): Promise<Response> {
  const u = new URL(url, ORIGIN);
  const headers = new Headers({ host: 'triage.local' });
  if (init.as) headers.set('authorization', `Bearer ${init.as}`);
  if (init.origin) headers.set('origin', init.origin);
  if (init.contentType) headers.set('content-type', init.contentType);
  for (const [re, names, mod] of ROUTES) {
    const m = re.exec(u.pathname);
    if (!m) continue;
    const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
    const handler = mod[init.method ?? 'GET'];
    if (!handler) throw new Error(`no ${init.method} on ${u.pathname}`);
    return handler(new Request(u, { method: init.method ?? 'GET', headers, ...(init.body ? { body: init.body, duplex: 'half' } : {}) } as RequestInit), { params: Promise.resolve(params) });
  }
  throw new Error(`no route for ${u.pathname}`);
}


/** Routes a real Request (method, headers, body kept) to its handler; 404 when no route matches. */
export async function dispatch(request: Request): Promise<Response> {
  const u = new URL(request.url);
  for (const [re, names, mod] of ROUTES) {
    const m = re.exec(u.pathname);
    if (!m) continue;
    const handler = mod[request.method as 'GET' | 'OPTIONS' | 'POST'];
    if (!handler) return new Response(null, { status: 405 });
    const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
    return handler(request, { params: Promise.resolve(params) });
  }
  return new Response(null, { status: 404 });
}

/** A plain HTTP server in front of the route handlers, for real DICOMweb clients (Orthanc). */
export function serveOverHttp(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    dispatch(new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, { method: req.method, headers }))
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch((err: unknown) => {
        res.writeHead(500);
        res.end(String(err));
      });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) })),
  );
}
