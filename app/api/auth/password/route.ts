import { z } from 'zod';
import { auditActor } from '@/server/audit/audit-service';
import { clientIp } from '@/server/audit/client-ip';
import { errorResponse, requireAuth } from '@/server/auth/require-auth';
import { getServices } from '@/server/http';

export const dynamic = 'force-dynamic';

const Body = z.object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) });

/** Changes the signed-in user's password (`{"currentPassword","newPassword"}`); ends their other sessions. */
export async function POST(request: Request) {
  const auth = await requireAuth(request, { allowPasswordChange: true });
  if (auth instanceof Response) return auth;
  const services = getServices();
  if (!services) return errorResponse('INTERNAL', 'server starting');
  if (auth.kind !== 'user') return errorResponse('FORBIDDEN', 'service accounts have no password');
  const parsed = Body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return errorResponse('VALIDATION_FAILED', 'send {"currentPassword","newPassword"} as JSON');
  const result = await services.auth.changePassword(auth.userId, auth.sessionId, parsed.data.currentPassword, parsed.data.newPassword);
  if (!result.ok) return errorResponse(result.code === 'UNAUTHENTICATED' ? 'FORBIDDEN' : result.code, result.message);
  await services.audit.record({ actor: auditActor(auth), ip: clientIp(request.headers), action: 'user.password_changed', target: { type: 'user', id: auth.userId } });
  return new Response(null, { status: 204 });
}
