import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { auditActor } from '@/server/audit/audit-service';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().transform((id) => id.slice(0, 64)) });

/** Admin: revokes a service-account token at once (idempotent; 404 unknown); journaled. */
export const DELETE = route({ permission: 'administer', params: Params }, async ({ principal, params, services, ip }) => {
  if (!services.userAdmin) throw new AppError('INTERNAL', 'user administration is not available');
  const result = await services.userAdmin.revokeToken({ ...auditActor(principal), ip }, params.id);
  if (!result.ok) throw new AppError(result.code, result.message);
  return new Response(null, { status: 204 });
});
