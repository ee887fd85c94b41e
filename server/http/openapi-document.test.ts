import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { API_ROUTES } from '@/app/api/openapi.json/api-routes';
import { GET as getOpenApi } from '@/app/api/openapi.json/route';
import type { Principal } from '@/server/auth/principal';
import { buildOpenApiDocument, HTTP_METHODS, type ApiRoute } from './openapi-document';
import { route } from './route';
import { registerServices, type ServerServices } from './service-registry';

const APP_DIR = fileURLToPath(new URL('../../app', import.meta.url));

type Operation = {
  operationId: string;
  security: unknown[];
  'x-access': string;
  'x-roles'?: string[];
  parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: { content: { 'application/json': { schema: { properties: Record<string, unknown>; required?: string[] } } } };
  responses: Record<string, { content?: Record<string, unknown> }>;
};
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

const doc = buildOpenApiDocument(API_ROUTES, { version: '9.9.9' }) as Doc;

/** Every app/**\/route.ts as its URL path (`[name]` → `{name}`, route groups dropped). */
function routeFiles(dir = APP_DIR): { file: string; path: string }[] {
  const out: { file: string; path: string }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...routeFiles(full));
    else if (entry.name === 'route.ts') {
      const segments = relative(APP_DIR, dir).split(sep).filter((s) => s && !/^\(.*\)$/.test(s));
      out.push({ file: full, path: `/${segments.map((s) => s.replace(/^\[(.+)\]$/, '{$1}')).join('/')}` });
    }
  }
  return out;
}

describe('GET /api/openapi.json: the OpenAPI 3.1 document', () => {
  it('holds every route module and every method it exports (walks app/**/route.ts)', async () => {
    const files = routeFiles();
    expect(files.length).toBeGreaterThan(40);
    const missing: string[] = [];
    for (const { file, path } of files) {
      const module = (await import(file)) as Record<string, unknown>;
      for (const method of HTTP_METHODS) {
        if (typeof module[method] === 'function' && !doc.paths[path]?.[method.toLowerCase()]) missing.push(`${method} ${path}`);
      }
    }
    expect(missing).toEqual([]);
    expect(Object.keys(doc.paths).sort()).toEqual(files.map((f) => f.path).sort());
  });

  it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator)', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // The validator does refuse a broken one: a parameter `in: body` (OpenAPI 2, not 3).
    const broken = structuredClone(doc) as Doc;
    broken.paths['/api/worklist']!.get!.parameters![0]!.in = 'body';
    expect((await new Validator().validate(broken)).valid).toBe(false);
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('states who may call each operation, from the handler\'s own permission', () => {
    const metrics = doc.paths['/metrics']!.get!;
    expect(metrics['x-access']).toBe('administer');
    expect(metrics['x-roles']).toEqual(['admin']);
    expect(metrics.security).toEqual([{ bearerToken: [] }, { sessionCookie: [] }]);
    expect(Object.keys(metrics.responses)).toEqual(expect.arrayContaining(['200', '401', '403', '503']));
    expect(metrics.responses['200']!.content).toHaveProperty(['text/plain; version=0.0.4']);
    const live = doc.paths['/api/health/live']!.get!;
    expect(live.security).toEqual([]);
    expect(live.responses).not.toHaveProperty('401');
    // People only: a service-account token cannot change a password.
    expect(doc.paths['/api/auth/password']!.post!.security).toEqual([{ sessionCookie: [] }]);
    expect(doc.paths['/api/openapi.json']!.get!['x-access']).toBe('signed-in');
    expect(doc.paths['/dicomweb/studies']!.get!['x-roles']).toEqual(['clinician', 'radiologist']);
    expect(doc.paths['/dicomweb/studies']!.options!.security).toEqual([]);
  });

  it('carries the request schemas route() enforces: body, query and path', () => {
    const login = doc.paths['/api/auth/login']!.post!;
    const body = login.requestBody!.content['application/json'].schema;
    expect(body.required).toEqual(['username', 'password']);
    expect(body.properties.password).toMatchObject({ type: 'string', minLength: 1, maxLength: 256 });
    expect(Object.keys(login.responses)).toEqual(expect.arrayContaining(['200', '403', '413', '422']));

    const audit = doc.paths['/api/audit']!.get!;
    const limit = audit.parameters!.find((p) => p.name === 'limit')!;
    expect(limit).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } });
    expect(audit.parameters!.find((p) => p.name === 'format')!.schema).toMatchObject({ enum: ['json', 'csv'] });

    const actions = doc.paths['/api/studies/{studyInstanceUid}/actions']!.post!;
    expect(actions.parameters).toEqual([expect.objectContaining({ name: 'studyInstanceUid', in: 'path', required: true })]);
    expect(actions.requestBody!.content['application/json'].schema.properties.action).toMatchObject({ enum: expect.arrayContaining(['acknowledge', 'dismiss']) });
    expect(actions.responses).toHaveProperty('409');

    // QIDO-RS keys come from the schema its handler parses them with.
    const qido = doc.paths['/dicomweb/studies']!.get!.parameters!.map((p) => p.name);
    expect(qido).toEqual(expect.arrayContaining(['StudyInstanceUID', 'PatientID', 'StudyDate', 'ModalitiesInStudy', 'limit', 'offset']));
  });

  it('refuses a list that leaves out an exported method or names one that does not exist', () => {
    const handler = route({ permission: 'public' }, () => ({}));
    const both: ApiRoute = { path: '/x', module: { GET: handler, POST: handler }, operations: { GET: { summary: 'x' } } };
    expect(() => buildOpenApiDocument([both], { version: '1' })).toThrow('/x: exported GET,POST, documented GET');
    const ghost: ApiRoute = { path: '/x', module: { GET: handler }, operations: { GET: { summary: 'x' }, DELETE: { summary: 'y' } } };
    expect(() => buildOpenApiDocument([ghost], { version: '1' })).toThrow('documented GET,DELETE');
    const plain: ApiRoute = { path: '/x', module: { GET: () => new Response() }, operations: { GET: { summary: 'x' } } };
    expect(() => buildOpenApiDocument([plain], { version: '1' })).toThrow('not made by route() and no access documented');
    const wrongParam: ApiRoute = { path: '/x/{id}', module: { GET: route({ permission: 'public', params: z.object({ uid: z.string() }) }, () => ({})) }, operations: { GET: { summary: 'x' } } };
    expect(() => buildOpenApiDocument([wrongParam], { version: '1' })).toThrow('path schema names uid');
  });

  describe('the route', () => {
    const clinician: Principal = { kind: 'user', userId: 'u1', username: 'cara', role: 'clinician', sessionId: 's1', mustChangePassword: false };
    beforeEach(() => {
      const auth = { authenticate: async (h: Pick<Headers, 'get'>) => (h.get('authorization') === 'Bearer good' ? clinician : null) };
      const status = () => ({ version: '1.2.3', startedAt: '', model: { name: 'm', version: '1', provider: 'cpu', intendedUse: 'research' } });
      registerServices({ auth, status } as unknown as ServerServices);
    });
    afterEach(() => registerServices(undefined as unknown as ServerServices));

    it('401 for a stranger; the document, with the server\'s version, for any signed-in principal', async () => {
      const stranger = await getOpenApi(new Request('http://t.local/api/openapi.json'));
      expect(stranger.status).toBe(401);
      const res = await getOpenApi(new Request('http://t.local/api/openapi.json', { headers: { authorization: 'Bearer good' } }));
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = (await res.json()) as { openapi: string; info: { version: string } };
      expect(body.openapi).toBe('3.1.1');
      expect(body.info.version).toBe('1.2.3');
    });
  });
});
