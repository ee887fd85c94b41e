import { z } from 'zod';
import { errorResponse, requireAuth } from '@/server/auth/require-auth';
import { PERMISSIONS, ROLES } from '@/server/auth/roles';
import { getServices } from '@/server/http';

export const dynamic = 'force-dynamic';

const Body = z.object({
  name: z.string().trim().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  role: z.enum(ROLES),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

/** Admin: every service-account token (no hashes). */
export async function GET(request: Request) {
  const auth = await requireAuth(request, { roles: PERMISSIONS.administer });
  if (auth instanceof Response) return auth;
  return Response.json({ tokens: await getServices()!.auth.listApiTokens() }, { headers: { 'cache-control': 'no-store' } });
}

/** Admin: creates a service-account token; the token is in this answer only. */
export async function POST(request: Request) {
  const auth = await requireAuth(request, { roles: PERMISSIONS.administer });
  if (auth instanceof Response) return auth;
  const parsed = Body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return errorResponse('VALIDATION_FAILED', `send {"name","role":${ROLES.join('|')},"expiresInDays"?}`);
  const { name, role, expiresInDays } = parsed.data;
  const created = await getServices()!.auth.createApiToken({
    name,
    role,
    createdById: auth.kind === 'user' ? auth.userId : undefined,
    expiresAt: expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : undefined,
  });
  return Response.json(created, { status: 201, headers: { 'cache-control': 'no-store' } });
}
