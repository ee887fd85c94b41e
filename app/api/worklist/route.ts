import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

/** The active worklist in rank order: flagged first, then the "any" probability, then arrival. */
export const GET = route({ permission: 'readWorklist' }, async ({ services }) => ({ studies: await services.worklist() }));
