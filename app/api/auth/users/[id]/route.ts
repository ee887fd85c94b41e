import { z } from 'zod';
import { auditActor } from '@/server/audit/audit-service';
import { USER_ROLES } from '@/lib/roles';
import { errorResponse } from '@/server/http/error-response';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().transform((id) => id.slice(0, 64)) });
const Body = z
  .strictObject({ role: z.enum(USER_ROLES).optional(), disabled: z.boolean().optional(), unlock: z.literal(true).optional() })
  .refine((b) => b.role !== undefined || b.disabled !== undefined || b.unlock !== undefined, 'nothing to change');

/**
 * Admin: changes an account: `{"role"?, "disabled"?, "unlock"?: true}` → `{"user"}`. An admin may not
 * disable or demote themself, and the last enabled admin stays one (403).
 */
export const PATCH = route(
  {
    permission: 'administer',
    params: Params,
    body: Body,
    invalid: `send {"role"?:${USER_ROLES.join('|')},"disabled"?:boolean,"unlock"?:true} with at least one`,
  },
  async ({ principal, params, body, services, ip }) => {
    if (!services.userAdmin) return errorResponse('INTERNAL', 'user administration is not available');
    const result = await services.userAdmin.update({ ...auditActor(principal), ip }, params.id, body);
    if (!result.ok) return errorResponse(result.code, result.message);
    return { user: result.user };
  },
);
