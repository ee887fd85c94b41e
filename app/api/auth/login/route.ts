import { z } from 'zod';
import { auditActor } from '@/server/audit/audit-service';
import { clientIp } from '@/server/audit/client-ip';
import { isSameOrigin } from '@/server/auth/origin-check';
import { viewPrincipal } from '@/server/auth/principal';
import { errorResponse } from '@/server/auth/require-auth';
import { getServices } from '@/server/http';
import { setSessionHeaders } from '@/server/auth/session-response';

export const dynamic = 'force-dynamic';

const Body = z.object({ username: z.string().min(1).max(128), password: z.string().min(1).max(256) });

/** Sign in: `{"username","password"}` → the session cookie and `{"user":{name,role,mustChangePassword}}`. */
export async function POST(request: Request) {
  const services = getServices();
  if (!services) return errorResponse('INTERNAL', 'server starting');
  // Login CSRF: a foreign page must not sign the browser into an account of its choosing.
  if (!isSameOrigin(request.headers)) return errorResponse('FORBIDDEN', 'cross-origin request refused');
  const parsed = Body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return errorResponse('VALIDATION_FAILED', 'send {"username","password"} as JSON');
  const result = await services.auth.login({
    ...parsed.data,
    ip: request.headers.get('x-forwarded-for')?.split(',')[0]?.trim(),
    userAgent: request.headers.get('user-agent') ?? undefined,
  });
  // Sign-ins and wrong passwords go to the audit journal; throttled attempts do not (they are
  // refused unchecked, and would let anyone grow the journal at network speed).
  const ip = clientIp(request.headers);
  if (!result.ok) {
    if (result.code === 'UNAUTHENTICATED') {
      await services.audit.record({ actor: { userId: null, username: parsed.data.username.trim().toLowerCase().slice(0, 64) }, ip, action: 'auth.sign_in_failed' });
    }
    return errorResponse(result.code, result.message);
  }
  await services.audit.record({ actor: auditActor(result.principal), ip, action: 'auth.signed_in', details: { sessionId: result.principal.sessionId } });
  return Response.json({ user: viewPrincipal(result.principal) }, { headers: setSessionHeaders(request, services.auth, result.token) });
}
