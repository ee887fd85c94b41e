import { z } from 'zod';
import { errorResponse, requireAuth } from '@/server/auth/require-auth';
import { PERMISSIONS } from '@/server/auth/roles';
import { getServices } from '@/server/http';

export const dynamic = 'force-dynamic';

const Query = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
});

/** Admin: quarantined inputs, newest first (`?limit=1..200&cursor=<nextCursor>`); no patient data. */
export async function GET(request: Request) {
  const auth = await requireAuth(request, { roles: PERMISSIONS.administer });
  if (auth instanceof Response) return auth;
  const params = new URL(request.url).searchParams;
  const parsed = Query.safeParse({ limit: params.get('limit') ?? undefined, cursor: params.get('cursor') ?? undefined });
  if (!parsed.success) return errorResponse('VALIDATION_FAILED', 'limit is 1..200; cursor is the nextCursor of the previous page');
  return Response.json(await getServices()!.quarantine(parsed.data), { headers: { 'cache-control': 'no-store' } });
}
