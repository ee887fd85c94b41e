import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { auditActor } from '@/server/audit/audit-service';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a quarantine id') });

/**
 * Admin: the original bytes of a quarantined input, as a download named by its id (never by the
 * name it came with, which may carry a patient's name). 404 unknown or gone. Journaled.
 */
export const GET = route({ permission: 'administer', params: Params }, async ({ principal, params, services, ip }) => {
  if (!services.quarantineAdmin) throw new AppError('INTERNAL', 'quarantine administration is not available');
  const { bytes, id } = await services.quarantineAdmin.download({ ...auditActor(principal), ip }, params.id);
  return new Response(Buffer.from(bytes), {
    headers: {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="quarantine-${id}.bin"`,
      'x-content-type-options': 'nosniff',
    },
  });
});
