import { z } from 'zod';
import { auditActor } from '@/server/audit/audit-service';
import { viewPrincipal } from '@/server/auth/principal';
import { setSessionHeaders } from '@/server/auth/session-response';
import { errorResponse } from '@/server/http/error-response';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Body = z.object({ username: z.string().min(1).max(128), password: z.string().min(1).max(256) });

/**
 * Sign in: `{"username","password"}` → the session cookie and `{"user":{name,role,mustChangePassword}}`.
 * Public; route() refuses it cross-origin (login CSRF) and bounds the body to 4 KiB before reading.
 */
export const POST = route(
  { permission: 'public', body: Body, maxBodyBytes: 4096, invalid: 'send {"username","password"} as JSON' },
  async ({ request, body, services, ip }) => {
    const result = await services.auth.login({ ...body, ip: ip ?? undefined, userAgent: request.headers.get('user-agent') ?? undefined });
    // Sign-ins and wrong passwords go to the audit journal; throttled attempts do not (they are
    // refused unchecked, and would let anyone grow the journal at network speed).
    if (!result.ok) {
      if (result.code === 'UNAUTHENTICATED') {
        await services.audit.record({ actor: { userId: null, username: body.username.trim().toLowerCase().slice(0, 64) }, ip, action: 'auth.sign_in_failed' });
      }
      return errorResponse(result.code, result.message);
    }
    await services.audit.record({ actor: auditActor(result.principal), ip, action: 'auth.signed_in', details: { sessionId: result.principal.sessionId } });
    return Response.json({ user: viewPrincipal(result.principal) }, { headers: setSessionHeaders(request, services.auth, result.token) });
  },
);
