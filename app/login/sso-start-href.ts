import { safeNextPath } from '@/lib/safe-next-path';

/** The OIDC start route, carrying the page to return to once signed in (the worklist needs none). */
export function ssoStartHref(next: string): string {
  const path = safeNextPath(next);
  return path && path !== '/' ? `/api/auth/oidc/start?next=${encodeURIComponent(path)}` : '/api/auth/oidc/start';
}
