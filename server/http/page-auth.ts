import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { getServices } from './service-registry';
import type { Principal } from '@/server/auth/principal';
import type { Role } from '@/lib/roles';
import { loginHref, PAGE_PATH_HEADER } from '@/lib/safe-next-path';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from '@/server/auth/session-cookie';

type UserPrincipal = Extract<Principal, { kind: 'user' }>;

// For server components (pages) only: reads the session cookie with Next's cookies(). Like
// require-auth.ts it reaches the AuthService through the services registry.

/** The signed-in user of this page request, or null. */
export async function currentUser(): Promise<UserPrincipal | null> {
  const services = getServices();
  if (!services) return null;
  const jar = await cookies();
  const token = jar.get(SECURE_SESSION_COOKIE)?.value ?? jar.get(SESSION_COOKIE)?.value;
  return services.auth.authenticateSession(token);
}

/**
 * The signed-in user, or a redirect: to /login?next=<this page> without a valid session (an
 * expired, signed-out or unknown cookie; no cookie at all is caught earlier, in proxy.ts), to
 * /login?error=forbidden with a role not in `roles`, to /account/password while a password change
 * is pending (unless `allowPasswordChange`).
 */
export async function requirePageUser(options: { roles?: readonly Role[]; allowPasswordChange?: boolean } = {}): Promise<UserPrincipal> {
  const user = await currentUser();
  // The page's own path comes from proxy.ts (a server component is not told its URL).
  if (!user) redirect(loginHref((await headers()).get(PAGE_PATH_HEADER) ?? '/'));
  if (user.mustChangePassword && !options.allowPasswordChange) redirect('/account/password');
  if (options.roles && !options.roles.includes(user.role)) redirect('/login?error=forbidden');
  return user;
}
