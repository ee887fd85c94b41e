import { errorResponse } from '@/server/http/error-response';
import { requestOrigin } from '@/server/http/request-origin';
import { route } from '@/server/http/route';
import { loginHref } from '@/lib/safe-next-path';

export const dynamic = 'force-dynamic';

/**
 * Single sign-on, step 1 (public by design: it is how a person without a session gets one). Sends
 * the browser to the IdP with a fresh state, nonce and PKCE challenge, remembered in a sealed
 * cookie with `?next=` (the page to return to; only a same-origin path is kept). 404 when OIDC is
 * not configured; back to the login page (keeping `next`) when the IdP is unreachable.
 */
export const GET = route({ permission: 'public' }, async ({ request, services }) => {
  if (!services.oidc) return errorResponse('NOT_FOUND', 'single sign-on is not configured');
  const next = new URL(request.url).searchParams.get('next');
  const begun = await services.oidc.begin(request, requestOrigin(request), next);
  const headers = new Headers();
  if (!begun.ok) {
    headers.set('location', loginHref(next ?? '/', { oidc: begun.reason }));
    return new Response(null, { status: 303, headers });
  }
  headers.set('location', begun.location);
  headers.append('set-cookie', begun.setCookie);
  return new Response(null, { status: 302, headers });
});
