import { z } from 'zod';
import { ERROR_STATUS } from '@/lib/errors';
import { PERMISSIONS, type Permission } from '@/lib/roles';
import { SESSION_COOKIE } from '@/server/auth/session-cookie';
import type { RouteAccess } from './route';
import { routeSpecOf, type RouteSpec } from './route-spec';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** What the schemas cannot say about one operation: written beside the list of routes. */
export interface OperationDoc {
  summary: string;
  /** The main answer; default 200 with application/json. */
  success?: { status?: number; content?: readonly string[]; description?: string };
  /** Answers the handler gives itself, beyond those route() gives every route (401, 403, 413, 422, 503). */
  responses?: Readonly<Record<number, string>>;
  /** A query the handler parses itself rather than through route() (QIDO-RS). */
  query?: z.ZodType;
  /** Only for a handler route() did not make (the DICOMweb CORS preflight): who may call it. */
  access?: RouteAccess;
}

/** One route module (app/…/route.ts) at its URL path (`{name}` for a dynamic segment). */
export interface ApiRoute {
  path: string;
  module: Readonly<Record<string, unknown>>;
  operations: Partial<Record<HttpMethod, OperationDoc>>;
}

type Json = Record<string, unknown>;

const STATE_CHANGING = new Set<HttpMethod>(['POST', 'PUT', 'PATCH', 'DELETE']);
const SECURED = [{ bearerToken: [] }, { sessionCookie: [] }];
const SESSION_ONLY = [{ sessionCookie: [] }];

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from what route() enforces: each handler's
 * permission and its zod schemas for path, query and body (server/http/route-spec.ts), converted
 * with zod's own z.toJSONSchema (JSON Schema 2020-12, OpenAPI 3.1's dialect) as the client sends
 * them (`io: 'input'`). Throws when a module's exports and the list disagree, so the document
 * cannot silently leave an operation out or describe one that does not exist.
 */
export function buildOpenApiDocument(routes: readonly ApiRoute[], info: { version: string }): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    const exported = HTTP_METHODS.filter((m) => typeof r.module[m] === 'function');
    const documented = Object.keys(r.operations) as HttpMethod[];
    const missing = exported.filter((m) => !documented.includes(m));
    const extra = documented.filter((m) => !exported.includes(m));
    if (missing.length || extra.length) throw new Error(`${r.path}: exported ${exported.join(',') || 'nothing'}, documented ${documented.join(',') || 'nothing'}`);
    const item: Json = {};
    for (const method of exported) item[method.toLowerCase()] = operation(r.path, method, routeSpecOf(r.module[method]), r.operations[method]!);
    paths[r.path] = item;
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'ICH triage HTTP API',
      version: info.version,
      description:
        'Generated at request time from the zod schemas and permissions the route handlers enforce (server/http/openapi-document.ts). ' +
        'Sign in with POST /api/auth/login (session cookie) or send a service-account token as `Authorization: Bearer`. ' +
        'Errors are `{"error":{"code","message"}}`; every answer carries `Cache-Control: no-store`.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'A service-account token (API_TOKENS, or POST /api/auth/tokens).' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: `The sign-in session (\`__Host-${SESSION_COOKIE}\` over https). State-changing requests with it must come from our own origin.` },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string', enum: Object.keys(ERROR_STATUS) }, message: { type: 'string' } },
            },
          },
        },
      },
    },
  };
}

function operation(path: string, method: HttpMethod, spec: RouteSpec | undefined, doc: OperationDoc): Json {
  const access = spec?.permission ?? doc.access;
  if (!access) throw new Error(`${method} ${path}: not made by route() and no access documented`);
  const responses: Record<string, Json> = {};
  const success = doc.success ?? {};
  const status = success.status ?? 200;
  const content = success.content ?? ['application/json'];
  responses[String(status)] = {
    description: success.description ?? 'success',
    ...(status === 204 || status === 304 || content.length === 0 ? {} : { content: Object.fromEntries(content.map((c) => [c, {}])) }),
  };
  const error = (code: number, description: string) => {
    responses[String(code)] ??= { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  };
  for (const [code, description] of Object.entries(doc.responses ?? {})) error(Number(code), description);

  const parameters = [...pathParameters(path, spec?.params), ...queryParameters(spec?.query ?? doc.query)];
  const op: Json = {
    operationId: operationId(method, path),
    summary: doc.summary,
    tags: [tagOf(path)],
    'x-access': access,
  };
  if (access === 'public') {
    op.security = [];
    if (STATE_CHANGING.has(method)) error(403, 'cross-origin request refused (only our own pages may send it)');
  } else {
    op.security = spec?.usersOnly ? SESSION_ONLY : SECURED;
    if (access !== 'signed-in') op['x-roles'] = [...PERMISSIONS[access as Permission]];
    const who = access === 'signed-in' ? 'any signed-in user or token' : `roles ${PERMISSIONS[access as Permission].join(', ')}`;
    op.description = `Who: ${who}${spec?.usersOnly ? ' (people only: a service-account token gets 403)' : ''}.`;
    error(401, 'no valid session or bearer token');
    const refusals = [access === 'signed-in' ? undefined : 'a role not allowed', spec?.allowPasswordChange ? undefined : 'a pending password change', spec?.usersOnly ? 'a service-account token' : undefined, 'a cross-origin state-changing request with a cookie'];
    error(403, refusals.filter(Boolean).join(', '));
  }
  if (parameters.length) op.parameters = parameters;
  if (spec?.body) {
    op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(spec.body) } } };
    error(413, `body over ${spec.maxBodyBytes ?? 64 * 1024} bytes`);
  }
  if (spec?.params || spec?.query || spec?.body || doc.query) error(422, 'path, query or body does not fit its schema (the message names what)');
  if (spec) error(503, 'the server is starting (Retry-After)');
  op.responses = responses;
  return op;
}

/** A zod schema as JSON Schema 2020-12 for what a client sends (before transforms and defaults). */
function jsonSchema(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
}

function objectProperties(schema: z.ZodType | undefined): { name: string; schema: Json; required: boolean }[] {
  if (!schema) return [];
  const js = jsonSchema(schema);
  const props = (js.properties ?? {}) as Record<string, Json>;
  const required = new Set((js.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({ name, schema: s, required: required.has(name) }));
}

function pathParameters(path: string, schema: z.ZodType | undefined): Json[] {
  const fromSchema = new Map(objectProperties(schema).map((p) => [p.name, p.schema]));
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  for (const name of fromSchema.keys()) if (!names.includes(name)) throw new Error(`${path}: path schema names ${name}, not in the path`);
  return names.map((name) => ({ name, in: 'path', required: true, schema: fromSchema.get(name) ?? { type: 'string' } }));
}

function queryParameters(schema: z.ZodType | undefined): Json[] {
  return objectProperties(schema).map((p) => ({ name: p.name, in: 'query', required: p.required, schema: p.schema }));
}

function operationId(method: HttpMethod, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return [method.toLowerCase(), ...words.map((w) => w[0]!.toUpperCase() + w.slice(1))].join('');
}

function tagOf(path: string): string {
  const [first, second] = path.split('/').filter(Boolean);
  return first === 'api' ? (second ?? 'api') : (first ?? 'root');
}
