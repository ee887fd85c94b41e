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
  await services.auth.logout(readSessionToken(request.headers.get('cookie')));
  return new Response(null, { status: 204, headers: clearSessionHeaders(request, services.auth) });
}
