import { auditActor } from '@/server/audit/audit-service';
import { setSessionHeaders } from '@/server/auth/session-response';
import { errorResponse } from '@/server/http/error-response';
import { requestOrigin } from '@/server/http/request-origin';
import { route } from '@/server/http/route';
import { loginHref, safeNextPath } from '@/lib/safe-next-path';

export const dynamic = 'force-dynamic';

/**
 * The answer to a successful sign-in: a page that moves on to `next` (the page asked for before
 * sign-in, a checked same-origin path; the worklist by default) by itself. Not a 30x redirect:
 * this request arrived from the IdP's site, and browsers withhold SameSite=Strict cookies (our
 * session cookie) for the whole of a navigation that came from another site, redirects included,
 * so the page would see no session. A navigation started by our own page is same-site.
 */
function continuePage(next: string): string {
  // Checked again here (the one place it becomes markup), then escaped for an HTML attribute.
  const path = escapeHtml(safeNextPath(next) ?? '/');
  const label = path === '/' ? 'Continue to the worklist' : 'Continue to the page you opened';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${path}"><title>Signed in</title></head><body style="background:#0b1016;color:#d8dee9;font-family:system-ui,sans-serif"><p>Signed in. <a href="${path}" style="color:#8fbcbb">${label}</a></p></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Single sign-on, step 2 (public by design: the IdP sends the browser here). Validates the answer
 * (state, PKCE, nonce, ID token), maps the role claim, creates or updates the local account and
 * opens a session; any refusal goes back to the login page with a fixed reason. 404 when OIDC is off.
 */
export const GET = route({ permission: 'public' }, async ({ request, services, ip }) => {
  if (!services.oidc) return errorResponse('NOT_FOUND', 'single sign-on is not configured');
  const finished = await services.oidc.finish(request, { origin: requestOrigin(request), ip });
  if (!finished.ok) {
    const headers = new Headers({ location: loginHref(finished.next, { oidc: finished.reason }) });
    headers.append('set-cookie', finished.clearCookie);
    return new Response(null, { status: 303, headers });
  }
  // Refusals are logged, not journaled: anyone can call this URL, and would grow the journal at will.
  const { principal } = finished;
  await services.audit.record({ actor: auditActor(principal), ip, action: 'auth.signed_in', details: { sessionId: principal.sessionId, via: 'oidc' } });
  const headers = setSessionHeaders(request, services.auth, finished.token);
  headers.append('set-cookie', finished.clearCookie);
  headers.set('content-type', 'text/html; charset=utf-8');
  headers.set('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  return new Response(continuePage(finished.next), { status: 200, headers });
});
