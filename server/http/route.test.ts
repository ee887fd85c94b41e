import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { AppError } from '@/lib/errors';
import type { Principal } from '@/server/auth/principal';
import { route } from './route';
import { registerServices, type ServerServices } from './service-registry';

const ORIGIN = 'http://triage.local';
const clinician: Principal = { kind: 'user', userId: 'u1', username: 'cara', role: 'clinician', sessionId: 's1', mustChangePassword: false };
const admin: Principal = { ...clinician, userId: 'u2', username: 'ada', role: 'admin' };
const token: Principal = { kind: 'token', tokenId: 't1', name: 'pacs', role: 'integration' };

/** Services whose auth answers the principal named by the bearer/cookie value. */
function services(errorLog: (...args: unknown[]) => void): ServerServices {
  const principals: Record<string, Principal> = { clinician, admin, token };
  const auth = {
    authenticate: async (headers: Pick<Headers, 'get'>) => {
      const bearer = headers.get('authorization')?.replace(/^Bearer /, '');
      const cookie = headers.get('cookie')?.replace(/^ich_session=/, '');
      return principals[bearer ?? cookie ?? ''] ?? null;
    },
  };
  const log = { error: errorLog, warn: vi.fn(), info: vi.fn(), debug: vi.fn() };
  return { auth, log } as unknown as ServerServices;
}

function req(path: string, init: RequestInit & { as?: string; bearer?: string } = {}): Request {
  const headers = new Headers(init.headers);
  headers.set('host', 'triage.local');
  if (init.as) headers.set('cookie', `ich_session=${init.as}`);
  if (init.bearer) headers.set('authorization', `Bearer ${init.bearer}`);
  return new Request(`${ORIGIN}${path}`, { ...init, headers });
}

const Body = z.object({ note: z.string().max(10) });

describe('route()', () => {
  let errorLog = vi.fn();
  beforeEach(() => {
    errorLog = vi.fn();
    registerServices(services(errorLog));
  });
  afterEach(() => registerServices(undefined as unknown as ServerServices));

  const echo = route({ permission: 'actOnStudies', body: Body, maxBodyBytes: 100 }, ({ body, principal }) => ({ note: body.note, by: principal.kind === 'user' ? principal.username : principal.name }));

  it('answers the handler with no-store for an allowed principal and a good body', async () => {
    const res = await echo(req('/api/x', { method: 'POST', as: 'clinician', headers: { origin: ORIGIN }, body: JSON.stringify({ note: 'hi' }) }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ note: 'hi', by: 'cara' });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('401 without credentials, 403 for a role without the permission, both no-store', async () => {
    const anon = await echo(req('/api/x', { method: 'POST', body: '{}' }));
    expect(anon.status).toBe(401);
    expect((await anon.json()).error.code).toBe('UNAUTHENTICATED');
    expect(anon.headers.get('cache-control')).toBe('no-store');
    const wrong = await route({ permission: 'administer' }, () => ({ ok: true }))(req('/api/x', { as: 'clinician' }));
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error.code).toBe('FORBIDDEN');
  });

  it('403 for a cookie request from another origin; a bearer token needs no origin', async () => {
    const csrf = await echo(req('/api/x', { method: 'POST', as: 'admin', headers: { origin: 'https://evil.example' }, body: JSON.stringify({ note: 'x' }) }));
    expect(csrf.status).toBe(403);
    expect((await csrf.json()).error.message).toMatch(/cross-origin/);
    const noOrigin = await route({ permission: 'storeStudies' }, () => ({ ok: true }))(req('/api/x', { method: 'POST', bearer: 'token' }));
    expect(noOrigin.status).toBe(200);
  });

  it('refuses a cross-origin state-changing request to a public route (login CSRF)', async () => {
    const login = route({ permission: 'public', body: Body }, () => ({ ok: true }));
    expect((await login(req('/api/x', { method: 'POST', headers: { origin: 'https://evil.example' }, body: '{"note":"a"}' }))).status).toBe(403);
    expect((await login(req('/api/x', { method: 'POST', headers: { origin: ORIGIN }, body: '{"note":"a"}' }))).status).toBe(200);
  });

  it('413 for a declared Content-Length over the limit, without reading the body', async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const request = req('/api/x', { method: 'POST', as: 'clinician', headers: { origin: ORIGIN, 'content-length': String(50 * 1024 * 1024) }, body: stream, duplex: 'half' } as RequestInit);
    const res = await echo(request);
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('BODY_TOO_LARGE');
    expect(pulled).toBeLessThanOrEqual(1); // at most the stream's own first pull, never read by us
  });

  it('413 for an endless chunked body after reading just past the limit', async () => {
    let pulled = 0;
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(40));
      },
      cancel() {
        cancelled = true;
      },
    });
    const res = await echo(req('/api/x', { method: 'POST', as: 'clinician', headers: { origin: ORIGIN }, body: stream, duplex: 'half' } as RequestInit));
    expect(res.status).toBe(413);
    expect(pulled).toBeLessThan(10);
    expect(cancelled).toBe(true);
  });

  it('422 for a body that is not JSON or does not fit the schema, with the route message when given', async () => {
    const bad = await echo(req('/api/x', { method: 'POST', as: 'clinician', headers: { origin: ORIGIN }, body: '{not json' }));
    expect(bad.status).toBe(422);
    expect((await bad.json()).error).toEqual({ code: 'VALIDATION_FAILED', message: 'the body is not JSON' });
    const wrong = await echo(req('/api/x', { method: 'POST', as: 'clinician', headers: { origin: ORIGIN }, body: JSON.stringify({ note: 'far too long a note' }) }));
    expect(wrong.status).toBe(422);
    expect((await wrong.json()).error.message).toMatch(/^bad body \(note: /);
    const custom = route({ permission: 'public', body: Body, invalid: 'send {"note"}' }, () => ({}));
    expect((await (await custom(req('/api/x', { method: 'POST', headers: { origin: ORIGIN }, body: '[]' }))).json()).error.message).toBe('send {"note"}');
  });

  it('parses query and path parameters (422 when they do not fit)', async () => {
    const r = route({ permission: 'readWorklist', query: z.object({ limit: z.coerce.number().int().max(5) }), params: z.object({ id: z.string().regex(/^\d+$/) }) }, ({ query, params }) => ({ limit: query.limit, id: params.id }));
    const ok = await r(req('/api/x?limit=3', { as: 'clinician' }), { params: Promise.resolve({ id: '42' }) });
    expect(await ok.json()).toEqual({ limit: 3, id: '42' });
    expect((await r(req('/api/x?limit=9', { as: 'clinician' }), { params: Promise.resolve({ id: '42' }) })).status).toBe(422);
    expect((await r(req('/api/x?limit=1', { as: 'clinician' }), { params: Promise.resolve({ id: 'x' }) })).status).toBe(422);
  });

  it('answers an AppError with its status and code, an unknown error as a logged generic 500', async () => {
    const conflict = await route({ permission: 'readWorklist' }, () => {
      throw new AppError('STUDY_ACTION_CONFLICT', 'already reported');
    })(req('/api/x', { as: 'clinician' }));
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toEqual({ error: { code: 'STUDY_ACTION_CONFLICT', message: 'already reported' } });
    const boom = await route({ permission: 'readWorklist' }, () => {
      throw new Error('SELECT * FROM "Study" failed at /srv/secret/path.ts:12');
    })(req('/api/x', { as: 'clinician' }));
    expect(boom.status).toBe(500);
    const text = await boom.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
    expect(text).not.toMatch(/SELECT|secret|\.ts/);
    expect(boom.headers.get('cache-control')).toBe('no-store');
    expect(errorLog).toHaveBeenCalledOnce();
  });

  it('overrides a handler cache header and copies a response whose headers are immutable', async () => {
    const privateCache = await route({ permission: 'readWorklist' }, () => new Response('x', { headers: { 'cache-control': 'private, max-age=600' } }))(req('/api/x', { as: 'clinician' }));
    expect(privateCache.headers.get('cache-control')).toBe('no-store');
    const redirect = await route({ permission: 'public' }, () => Response.redirect(`${ORIGIN}/login`, 303))(req('/api/x'));
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('cache-control')).toBe('no-store');
    expect(redirect.headers.get('location')).toBe(`${ORIGIN}/login`);
  });

  it('503 with Retry-After while the server is starting, even on public routes', async () => {
    registerServices(undefined as unknown as ServerServices);
    const res = await route({ permission: 'public' }, () => ({}))(req('/api/x'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});
