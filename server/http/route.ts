import type { z } from 'zod';
import { isAppError } from '@/lib/errors';
import { isSameOrigin, isStateChanging } from '@/server/auth/origin-check';
import type { Principal } from '@/server/auth/principal';
import { PERMISSIONS, type Permission } from '@/lib/roles';
import { createLogger, type Logger } from '@/server/logging';
import { clientAddress } from './client-address';
import { errorResponse } from './error-response';
import { DEFAULT_MAX_BODY_BYTES, readBodyText } from './read-body';
import { requireAuth, startingResponse } from './require-auth';
import { withRouteSpec } from './route-spec';
import { getServices, type ServerServices } from './service-registry';

/**
 * Who may call a route: a permission from server/auth/roles.ts, `'signed-in'` (any principal,
 * e.g. /api/auth/me) or `'public'` (sign-in, sign-out, single sign-on: no principal).
 */
export type RouteAccess = Permission | 'signed-in' | 'public';

export type RouteOptions<A extends RouteAccess, B extends z.ZodType | undefined, Q extends z.ZodType | undefined, P extends z.ZodType | undefined, U extends boolean | undefined = undefined> = {
  permission: A;
  /** A JSON body, parsed with this schema after the permission check (422 when it does not fit). */
  body?: B;
  /** Limit for the JSON body, checked before parsing (413); default 64 KiB. */
  maxBodyBytes?: number;
  /** Search parameters (as an object of strings), parsed with this schema (422). */
  query?: Q;
  /** Path parameters, parsed with this schema (422). */
  params?: P;
  /** The 422 message when the body is not JSON or does not fit; default: what zod found. Query and path use zod's messages. */
  invalid?: string;
  /** Let a user with a pending password change through (password change, /api/auth/me). */
  allowPasswordChange?: boolean;
  /** People only (cookie sessions): a service-account token gets 403 before the body is read. */
  usersOnly?: U;
};

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a route's handler receives: everything already checked. */
export type RouteContext<A extends RouteAccess, B, Q, P, U = undefined> = {
  request: Request;
  /** Who sent it; null on public routes, a person with `usersOnly`. */
  principal: A extends 'public' ? null : U extends true ? Extract<Principal, { kind: 'user' }> : Principal;
  body: Parsed<B>;
  query: Parsed<Q>;
  params: Parsed<P>;
  services: ServerServices;
  /** The client's address (server/http/client-address.ts: forwarding headers only from TRUSTED_PROXIES). */
  ip: string | null;
  log: Logger;
};

/** A Next route handler (the context argument is absent when tests call it directly). */
export type RouteHandler = (request: Request, ctx?: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

let fallbackLog: Logger | undefined;
function routeLog(services: ServerServices | undefined): Logger {
  return services?.log ?? (fallbackLog ??= createLogger('info', { component: 'http' }));
}

/**
 * The one wrapper every API route handler goes through: 503 while the server starts, the
 * permission (401/403), the CSRF origin check for state-changing requests not made with a bearer
 * token (403), path/query/body parsed with zod (422; the body bounded before it is read: 413),
 * AppErrors answered as `{"error":{code,message}}` with their status, anything else logged and
 * answered as a generic 500. Every answer carries `Cache-Control: no-store` (patient data).
 *
 * ```ts
 * export const POST = route({ permission: 'actOnStudies', body: Body }, async ({ principal, body, services }) => …);
 * ```
 */
export function route<
  A extends RouteAccess,
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
  U extends boolean | undefined = undefined,
>(
  options: RouteOptions<A, B, Q, P, U>,
  handler: (ctx: RouteContext<A, B, Q, P, U>) => Promise<Response | object> | Response | object,
): RouteHandler {
  const wrapped: RouteHandler = async (request, ctx) => {
    const services = getServices();
    let response: Response;
    try {
      response = await run(options, handler, request, ctx, services);
    } catch (err) {
      response = answerError(err, request, services);
    }
    return noStore(response);
  };
  // For GET /api/openapi.json: the document is generated from these same options.
  return withRouteSpec(wrapped, options);
}

async function run<A extends RouteAccess, B extends z.ZodType | undefined, Q extends z.ZodType | undefined, P extends z.ZodType | undefined, U extends boolean | undefined>(
  options: RouteOptions<A, B, Q, P, U>,
  handler: (ctx: RouteContext<A, B, Q, P, U>) => Promise<Response | object> | Response | object,
  request: Request,
  ctx: { params: Promise<Record<string, string | string[]>> } | undefined,
  services: ServerServices | undefined,
): Promise<Response> {
  if (!services) return startingResponse();
  let principal: Principal | null = null;
  if (options.permission === 'public') {
    // No principal to tell a bearer client from a browser: every state-changing public request
    // must come from our own pages (login CSRF: a foreign page must not sign a browser in).
    if (isStateChanging(request.method) && !isSameOrigin(request.headers)) return errorResponse('FORBIDDEN', 'cross-origin request refused');
  } else {
    const roles = options.permission === 'signed-in' ? undefined : PERMISSIONS[options.permission as Permission];
    const auth = await requireAuth(request, { roles, allowPasswordChange: options.allowPasswordChange });
    if (auth instanceof Response) return auth;
    if (options.usersOnly && auth.kind !== 'user') return errorResponse('FORBIDDEN', 'service accounts may not do this');
    principal = auth;
  }
  const params = options.params ? parse(options.params, ctx ? await ctx.params : {}, 'path', undefined) : undefined;
  const query = options.query ? parse(options.query, Object.fromEntries(new URL(request.url).searchParams), 'query', undefined) : undefined;
  let body: unknown;
  if (options.body) {
    const text = await readBodyText(request, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return errorResponse('VALIDATION_FAILED', options.invalid ?? 'the body is not JSON');
    }
    body = parse(options.body, json, 'body', options.invalid);
  }
  const result = await handler({
    request,
    principal: principal as RouteContext<A, B, Q, P, U>['principal'],
    body: body as Parsed<B>,
    query: query as Parsed<Q>,
    params: params as Parsed<P>,
    services,
    ip: clientAddress(request.headers),
    log: routeLog(services),
  });
  return result instanceof Response ? result : Response.json(result);
}

/** Thrown by parse(): a 422 with the given or zod's message. */
class InvalidInput extends Error {}

function parse(schema: z.ZodType, value: unknown, where: string, message: string | undefined): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || where}: ${i.message}`).join('; ');
  throw new InvalidInput(message ?? `bad ${where} (${problems})`);
}

function answerError(err: unknown, request: Request, services: ServerServices | undefined): Response {
  if (err instanceof InvalidInput) return errorResponse('VALIDATION_FAILED', err.message);
  if (isAppError(err)) return errorResponse(err.code, err.message);
  // Not on purpose: the details stay in the log (no body, no headers: they may carry patient data).
  routeLog(services).error({ err, method: request.method, path: new URL(request.url).pathname }, 'route failed');
  return errorResponse('INTERNAL', 'internal error');
}

/** Sets no-store, copying the response when its headers are immutable (e.g. Response.redirect). */
function noStore(response: Response): Response {
  try {
    response.headers.set('cache-control', 'no-store');
    return response;
  } catch {
    const headers = new Headers(response.headers);
    headers.set('cache-control', 'no-store');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
}
