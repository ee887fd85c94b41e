import { AppError } from '@/lib/errors';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

/** Prometheus metrics (server/metrics) in the text exposition format: admins and admin-role tokens; a stranger gets 401. */
export const GET = route({ permission: 'administer' }, async ({ services }) => {
  if (!services.metrics) throw new AppError('NOT_FOUND', 'no metrics on this node');
  const { contentType, body } = await services.metrics.text();
  return new Response(body, { headers: { 'content-type': contentType } });
});
