import { errorResponse } from '@/server/http/error-response';
import { requestOrigin } from '@/server/http/request-origin';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

/**
 * Single sign-on, step 1 (public by design: it is how a person without a session gets one). Sends
 * the browser to the IdP with a fresh state, nonce and PKCE challenge, remembered in a sealed
 * cookie. 404 when OIDC is not configured; back to the login page when the IdP is unreachable.
 */
export const GET = route({ permission: 'public' }, async ({ request, services }) => {
  if (!services.oidc) return errorResponse('NOT_FOUND', 'single sign-on is not configured');
  const begun = await services.oidc.begin(request, requestOrigin(request));
  const headers = new Headers();
  if (!begun.ok) {
    headers.set('location', `/login?oidc=${begun.reason}`);
    return new Response(null, { status: 303, headers });
  }
  headers.set('location', begun.location);
  headers.append('set-cookie', begun.setCookie);
  return new Response(null, { status: 302, headers });
});
