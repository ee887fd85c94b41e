import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { auditActor } from '@/server/audit/audit-service';
import { USER_ROLES } from '@/lib/roles';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Body = z.object({
  username: z.string().trim().regex(/^[A-Za-z0-9_.@-]{1,64}$/),
  role: z.enum(USER_ROLES),
  displayName: z.string().trim().min(1).max(128).optional(),
});

/** Admin: every account (no password hashes). */
export const GET = route({ permission: 'administer' }, async ({ services }) => ({ users: await services.auth.listUsers() }));

/** Admin: creates an account; answers its one-time password once (it must be changed at first sign-in). */
export const POST = route(
  { permission: 'administer', body: Body, invalid: `send {"username","role":${USER_ROLES.join('|')},"displayName"?}` },
  async ({ principal, body, services, ip }) => {
    if (!services.userAdmin) throw new AppError('INTERNAL', 'user administration is not available');
    const created = await services.userAdmin.createUser({ ...auditActor(principal), ip }, body);
    if (!created.ok) throw new AppError(created.code, created.message);
    return Response.json({ user: created.user }, { status: 201 });
  },
);
