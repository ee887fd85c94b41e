import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { auditActor } from '@/server/audit/audit-service';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not an outbox message id') });

/**
 * Admin: retry a failed (or waiting) outgoing message now, with a fresh attempt budget →
 * `{"id","state":"pending"}`; 404 unknown, 422 when delivered or being delivered. Journaled.
 */
export const POST = route({ permission: 'administer', params: Params }, async ({ principal, params, services, ip }) => {
  if (!services.outbox) throw new AppError('INTERNAL', 'the outbox is not available on this node');
  return services.outbox.retry({ ...auditActor(principal), ip }, params.id);
});
