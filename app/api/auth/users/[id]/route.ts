import { z } from 'zod';
import { auditActor } from '@/server/audit/audit-service';
import { clientIp } from '@/server/audit/client-ip';
import { errorResponse, requireAuth } from '@/server/auth/require-auth';
import { PERMISSIONS, USER_ROLES } from '@/server/auth/roles';
import { getServices } from '@/server/http';

export const dynamic = 'force-dynamic';

const Body = z
  .strictObject({ role: z.enum(USER_ROLES).optional(), disabled: z.boolean().optional(), unlock: z.literal(true).optional() })
  .refine((b) => b.role !== undefined || b.disabled !== undefined || b.unlock !== undefined, 'nothing to change');

/**
 * Admin: changes an account: `{"role"?, "disabled"?, "unlock"?: true}` → `{"user"}`. An admin may not
 * disable or demote themself, and the last enabled admin stays one (403).
 */
export async function PATCH(request: Request, ctx: { params: Promise<{ id: string }> }) {
  const auth = await requireAuth(request, { roles: PERMISSIONS.administer });
  if (auth instanceof Response) return auth;
  const userAdmin = getServices()?.userAdmin;
  if (!userAdmin) return errorResponse('INTERNAL', 'user administration is not available');
  const parsed = Body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return errorResponse('VALIDATION_FAILED', `send {"role"?:${USER_ROLES.join('|')},"disabled"?:boolean,"unlock"?:true} with at least one`);
  const { id } = await ctx.params;
  const result = await userAdmin.update({ ...auditActor(auth), ip: clientIp(request.headers) }, id.slice(0, 64), parsed.data);
  if (!result.ok) return errorResponse(result.code, result.message);
  return Response.json({ user: result.user }, { headers: { 'cache-control': 'no-store' } });
}
