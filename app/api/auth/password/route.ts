import { z } from 'zod';
import { auditActor } from '@/server/audit/audit-service';
import { errorResponse } from '@/server/http/error-response';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Body = z.object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) });

/** Changes the signed-in user's password (`{"currentPassword","newPassword"}`); ends their other sessions. */
export const POST = route(
  { permission: 'signed-in', usersOnly: true, allowPasswordChange: true, body: Body, maxBodyBytes: 4096, invalid: 'send {"currentPassword","newPassword"} as JSON' },
  async ({ principal, body, services, ip }) => {
    const result = await services.auth.changePassword(principal.userId, principal.sessionId, body.currentPassword, body.newPassword);
    if (!result.ok) return errorResponse(result.code === 'UNAUTHENTICATED' ? 'FORBIDDEN' : result.code, result.message);
    await services.audit.record({ actor: auditActor(principal), ip, action: 'user.password_changed', target: { type: 'user', id: principal.userId }, details: { username: principal.username } });
    return new Response(null, { status: 204 });
  },
);
