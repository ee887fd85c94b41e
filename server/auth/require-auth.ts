import { ERROR_STATUS, type ErrorCode } from '@/lib/errors';
import { getServices } from '@/server/http/service-registry';
import { isSameOrigin, isStateChanging } from './origin-check';
import type { Principal } from './principal';
import type { Role } from './roles';

// This module is what Next route handlers import: it must stay free of native modules (argon2)
// and of the database, reaching the running server's AuthService through the services registry.

export type RequireAuthOptions = {
  /** Roles allowed; omit to allow any authenticated principal. Prefer PERMISSIONS.x from roles.ts. */
  roles?: readonly Role[];
  /** Let a user with a pending password change through (the password change and logout routes). */
  allowPasswordChange?: boolean;
};

/** The JSON error response every API route gives: `{"error":{"code","message"}}`. */
export function errorResponse(code: ErrorCode, message: string, headers?: HeadersInit): Response {
  return Response.json({ error: { code, message } }, { status: ERROR_STATUS[code], headers });
}

/**
 * The one guard for route handlers: returns who sent the request, or the response to send instead:
 * 401 without valid credentials, 403 for a cross-origin state-changing request made with a cookie
 * (CSRF), a pending password change or a role not in `roles`, 503 while the server starts.
 *
 * ```ts
 * const auth = await requireAuth(request, { roles: PERMISSIONS.readWorklist });
 * if (auth instanceof Response) return auth;
 * ```
 */
export async function requireAuth(request: Request, options: RequireAuthOptions = {}): Promise<Principal | Response> {
  const services = getServices();
  if (!services) return errorResponse('INTERNAL', 'server starting', { 'retry-after': '1' });
  const principal = await services.auth.authenticate(request.headers);
  if (!principal) {
    return errorResponse('UNAUTHENTICATED', 'sign in or send a valid bearer token', { 'www-authenticate': 'Bearer realm="ich-triage"' });
  }
  // Bearer tokens are not sent by browsers on their own, so only cookie sessions need the check.
  if (principal.kind === 'user' && isStateChanging(request.method) && !isSameOrigin(request.headers)) {
    return errorResponse('FORBIDDEN', 'cross-origin request refused');
  }
  if (principal.kind === 'user' && principal.mustChangePassword && !options.allowPasswordChange) {
    return errorResponse('PASSWORD_CHANGE_REQUIRED', 'choose a new password first (/account/password)');
  }
  if (options.roles && !options.roles.includes(principal.role)) {
    return errorResponse('FORBIDDEN', `role ${principal.role} may not do this`);
  }
  return principal;
}
