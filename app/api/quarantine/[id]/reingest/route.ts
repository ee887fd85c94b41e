import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { auditActor } from '@/server/audit/audit-service';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a quarantine id') });

/**
 * Admin: runs a quarantined input through the normal ingest again, as from its original sender →
 * `{"status":"stored"|"duplicate","studyInstanceUid"}` (the entry is removed) or
 * `{"status":"quarantined","error":{code,message}}` (still refused: it stays, with this reason).
 * 404 unknown. Journaled.
 */
export const POST = route({ permission: 'administer', params: Params }, async ({ principal, params, services, ip }) => {
  if (!services.quarantineAdmin) throw new AppError('INTERNAL', 'quarantine administration is not available');
  return services.quarantineAdmin.reingest({ ...auditActor(principal), ip }, params.id);
});
