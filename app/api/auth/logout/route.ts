import { auditActor } from '@/server/audit/audit-service';
import { clientIp } from '@/server/audit/client-ip';
import { isSameOrigin } from '@/server/auth/origin-check';
import { errorResponse } from '@/server/auth/require-auth';
import { readSessionToken } from '@/server/auth/session-cookie';
import { getServices } from '@/server/http';
import { clearSessionHeaders } from '@/server/auth/session-response';

export const dynamic = 'force-dynamic';

/** Sign out: revokes the session server-side and deletes the cookie; 204 even without a session. */
export async function POST(request: Request) {
  const services = getServices();
  if (!services) return errorResponse('INTERNAL', 'server starting');
  if (!isSameOrigin(request.headers)) return errorResponse('FORBIDDEN', 'cross-origin request refused');
  const token = readSessionToken(request.headers.get('cookie'));
  // Whose session ends, for the audit journal (an unknown or expired session records nothing).
  const user = await services.auth.authenticateSession(token);
  await services.auth.logout(token);
  if (user) await services.audit.record({ actor: auditActor(user), ip: clientIp(request.headers), action: 'auth.signed_out', details: { sessionId: user.sessionId } });
  return new Response(null, { status: 204, headers: clearSessionHeaders(request, services.auth) });
}
