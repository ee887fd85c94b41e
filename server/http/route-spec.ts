import type { z } from 'zod';
import type { RouteAccess } from './route';

/**
 * What route() was told about a handler (who may call it, which schemas it parses), kept on the
 * handler so the OpenAPI document (server/http/openapi-document.ts) is built from the very
 * schemas the route enforces rather than from a copy that could drift.
 */
export interface RouteSpec {
  permission: RouteAccess;
  body?: z.ZodType | undefined;
  maxBodyBytes?: number | undefined;
  query?: z.ZodType | undefined;
  params?: z.ZodType | undefined;
  usersOnly?: boolean | undefined;
  allowPasswordChange?: boolean | undefined;
}

const SPEC = Symbol.for('ich-triage.route-spec');
type WithSpec = { [SPEC]?: RouteSpec };

/** Records `spec` on `handler` (route() does this for every handler it makes); returns the handler. */
export function withRouteSpec<H extends object>(handler: H, spec: RouteSpec): H {
  Object.defineProperty(handler, SPEC, { value: spec, enumerable: false });
  return handler;
}

/** The spec route() recorded on a handler, or undefined for a function made otherwise. */
export function routeSpecOf(handler: unknown): RouteSpec | undefined {
  return typeof handler === 'function' ? (handler as WithSpec)[SPEC] : undefined;
}
