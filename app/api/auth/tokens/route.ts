import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { auditActor } from '@/server/audit/audit-service';
import { ROLES } from '@/lib/roles';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Body = z.object({
  name: z.string().trim().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  role: z.enum(ROLES),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

/** Admin: every service-account token (no hashes). */
export const GET = route({ permission: 'administer' }, async ({ services }) => ({ tokens: await services.auth.listApiTokens() }));

/** Admin: creates a service-account token; the token is in this answer only. */
export const POST = route(
  { permission: 'administer', body: Body, invalid: `send {"name","role":${ROLES.join('|')},"expiresInDays"?}` },
  async ({ principal, body, services, ip }) => {
    if (!services.userAdmin) throw new AppError('INTERNAL', 'user administration is not available');
    const created = await services.userAdmin.createToken(
      { ...auditActor(principal), ip },
      { name: body.name, role: body.role, expiresAt: body.expiresInDays ? new Date(Date.now() + body.expiresInDays * 86_400_000) : undefined },
    );
    return Response.json(created, { status: 201 });
  },
);
