import { z } from 'zod';
import { errorResponse, requireAuth } from '@/server/auth/require-auth';
import { PERMISSIONS, USER_ROLES } from '@/server/auth/roles';
import { getServices } from '@/server/http';

export const dynamic = 'force-dynamic';

const Body = z.object({
  username: z.string().trim().regex(/^[A-Za-z0-9_.@-]{1,64}$/),
  role: z.enum(USER_ROLES),
  displayName: z.string().trim().min(1).max(128).optional(),
});

/** Admin: every account (no password hashes). */
export async function GET(request: Request) {
  const auth = await requireAuth(request, { roles: PERMISSIONS.administer });
  if (auth instanceof Response) return auth;
  return Response.json({ users: await getServices()!.auth.listUsers() }, { headers: { 'cache-control': 'no-store' } });
}

/** Admin: creates an account; answers its one-time password once (it must be changed at first sign-in). */
export async function POST(request: Request) {
  const auth = await requireAuth(request, { roles: PERMISSIONS.administer });
  if (auth instanceof Response) return auth;
  const parsed = Body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return errorResponse('VALIDATION_FAILED', `send {"username","role":${USER_ROLES.join('|')},"displayName"?}`);
  const created = await getServices()!.auth.createUser(parsed.data);
  if (!created) return errorResponse('VALIDATION_FAILED', 'that username is taken');
  return Response.json({ user: created }, { status: 201, headers: { 'cache-control': 'no-store' } });
}
