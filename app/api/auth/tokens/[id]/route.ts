import { requireAuth } from '@/server/auth/require-auth';
import { PERMISSIONS } from '@/server/auth/roles';
import { getServices } from '@/server/http';

export const dynamic = 'force-dynamic';

/** Admin: revokes a service-account token at once (idempotent). */
export async function DELETE(request: Request, ctx: { params: Promise<{ id: string }> }) {
  const auth = await requireAuth(request, { roles: PERMISSIONS.administer });
  if (auth instanceof Response) return auth;
  const { id } = await ctx.params;
  await getServices()!.auth.revokeApiToken(id.slice(0, 64));
  return new Response(null, { status: 204 });
}
