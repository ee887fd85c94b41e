import { z } from 'zod';
import { auditActor } from '@/server/audit/audit-service';
import { AppError } from '@/lib/errors';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });

/**
 * Admin: gives account `:id` a new one-time password, answered once as `{"user","oneTimePassword"}`.
 * The person must change it at the next sign-in; their open sessions end and the account is
 * unlocked. 403 for the admin's own account and single-sign-on accounts, 404 unknown. Journaled.
 */
export const POST = route({ permission: 'administer', params: Params }, async ({ principal, params, services, ip }) => {
  if (!services.userAdmin) throw new AppError('INTERNAL', 'user administration is not available');
  const result = await services.userAdmin.resetPassword({ ...auditActor(principal), ip }, params.id);
  if (!result.ok) throw new AppError(result.code, result.message);
  return { user: result.user, oneTimePassword: result.oneTimePassword };
});
