import { z } from 'zod';
import { auditActor } from '@/server/audit/audit-service';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Query = z.object({
  limit: z.coerce.number().int().min(1, 'limit is 1..200').max(200, 'limit is 1..200').default(50),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'cursor is the nextCursor of the previous page').optional(),
});

/** Admin: quarantined inputs, newest first (`?limit=1..200&cursor=<nextCursor>`); no patient data. Each page read is journaled. */
export const GET = route({ permission: 'administer', query: Query }, async ({ principal, query, services, ip }) => {
  const page = await services.quarantine(query);
  const details = { items: page.items.length, total: page.total, firstPage: query.cursor === undefined };
  await services.audit.record({ actor: auditActor(principal), ip, action: 'quarantine.viewed', details });
  return page;
});
