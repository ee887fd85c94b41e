import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { auditActor } from '@/server/audit/audit-service';
import { route } from '@/server/http/route';
import type { ServerServices } from '@/server/http/service-registry';

export const dynamic = 'force-dynamic';

const Body = z
  .object({
    use: z.enum(['manifest', 'site', 'custom']),
    /** Only with use "custom": the study-level "any" threshold. */
    threshold: z.number().gt(0).lt(1).optional(),
    reason: z.string().trim().min(3).max(500),
  })
  .strict()
  .refine((b) => (b.use === 'custom') === (b.threshold !== undefined), { message: 'threshold is given with use "custom" and only then' });

function pointsOf(services: { operatingPoints?: unknown }) {
  if (!services.operatingPoints) throw new AppError('SERVER_STARTING', 'the operating points are not available on this node yet');
  return services.operatingPoints as NonNullable<ServerServices['operatingPoints']>;
}

/** The study-level operating point in force, what it was measured on, the alternatives and recent changes. */
export const GET = route({ permission: 'readOperations' }, async ({ services }) => pointsOf(services).view());

/**
 * An admin puts another study-level point in force (audited): `{"use":"manifest"|"site"|"custom",
 * "threshold"?, "reason"}`. It decides new studies on every node within a few seconds; studies already
 * triaged keep the point they were decided by.
 */
export const PUT = route(
  { permission: 'administer', body: Body, invalid: 'send {"use":"manifest"|"site"|"custom","threshold"? (custom only, 0-1),"reason"}' },
  async ({ principal, body, services, ip }) => {
    const points = pointsOf(services);
    const choice = body.use === 'custom' ? { use: 'custom' as const, threshold: body.threshold! } : { use: body.use };
    await points.change(choice, body.reason, auditActor(principal), services.audit, ip);
    return points.view();
  },
);
