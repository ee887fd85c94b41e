import { auditActor } from '@/server/audit/audit-service';
import { readSessionToken } from '@/server/auth/session-cookie';
import { clearSessionHeaders } from '@/server/auth/session-response';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

/**
 * Sign out: revokes the session server-side and deletes the cookie; 204 even without a session.
 * Public (an expired session must still be able to clear its cookie); same-origin only.
 */
export const POST = route({ permission: 'public' }, async ({ request, services, ip }) => {
  const token = readSessionToken(request.headers.get('cookie'));
  // Whose session ends, for the audit journal (an unknown or expired session records nothing).
  const user = await services.auth.authenticateSession(token);
  await services.auth.logout(token);
  if (user) await services.audit.record({ actor: auditActor(user), ip, action: 'auth.signed_out', details: { sessionId: user.sessionId } });
  return new Response(null, { status: 204, headers: clearSessionHeaders(request, services.auth) });
});
