import { isSameOrigin, isStateChanging } from '@/server/auth/origin-check';
import type { Principal } from '@/server/auth/principal';
import type { AuthService } from '@/server/auth/auth-service';
import type { Role } from '@/lib/roles';
import { errorResponse } from './error-response';
import { getServices } from './service-registry';

// What Next route handlers use (through ./route.ts): it must stay free of native modules (argon2)
// and of the database, reaching the running server's AuthService through the services registry.

export { errorResponse } from './error-response';

export type RequireAuthOptions = {
  /** Roles allowed; omit to allow any authenticated principal. Prefer PERMISSIONS.x from roles.ts. */
  roles?: readonly Role[];
  /** Let a user with a pending password change through (the password change and logout routes). */
  allowPasswordChange?: boolean;
};

/** The 503 answered while the server starts (or when Next runs without the custom server). */
export function startingResponse(): Response {
  return errorResponse('SERVER_STARTING', 'server starting', { 'retry-after': '1' });
}

/**
 * Who sent the request, or the response to send instead: 401 without valid credentials, 403 for a
 * cross-origin state-changing request made with a cookie (CSRF), a pending password change or a
 * role not in `roles`, 503 while the server starts. Route handlers get this through `route()`.
 */
export async function requireAuth(request: Request, options: RequireAuthOptions = {}): Promise<Principal | Response> {
  const services = getServices();
  if (!services) return startingResponse();
  return authorize(services.auth, request, options);
}

/**
 * requireAuth's rules with a given AuthService: what a worker node's own small HTTP server
 * (server/node/worker-http.ts) uses, so its /metrics answers exactly as a web node's does.
 */
export async function authorize(auth: Pick<AuthService, 'authenticate'>, request: Request, options: RequireAuthOptions = {}): Promise<Principal | Response> {
  const principal = await auth.authenticate(request.headers);
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
