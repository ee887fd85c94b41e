import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { auditActor } from '@/server/audit/audit-service';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a quarantine id') });

/** Admin: deletes a quarantined input and its kept bytes (204; 404 unknown). Journaled. */
export const DELETE = route({ permission: 'administer', params: Params }, async ({ principal, params, services, ip }) => {
  if (!services.quarantineAdmin) throw new AppError('INTERNAL', 'quarantine administration is not available');
  await services.quarantineAdmin.delete({ ...auditActor(principal), ip }, params.id);
  return new Response(null, { status: 204 });
});
