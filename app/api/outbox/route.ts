import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { OUTBOX_STATES } from '@/lib/outbox';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Query = z.object({
  state: z.enum(OUTBOX_STATES, { error: `state is one of ${OUTBOX_STATES.join(', ')}` }).optional(),
  limit: z.coerce.number().int().min(1, 'limit is 1..200').max(200, 'limit is 1..200').default(50),
});

/** Admin: outgoing alerts and results (webhook, FHIR, DICOM), newest first, with the backlog, failed count and last error; never their payloads. */
export const GET = route({ permission: 'administer', query: Query }, async ({ query, services }) => {
  if (!services.outbox) throw new AppError('INTERNAL', 'the outbox is not available on this node');
  return services.outbox.view(query);
});
