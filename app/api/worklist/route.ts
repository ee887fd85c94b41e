import { z } from 'zod';
import { WORKLIST_VIEWS } from '@/lib/worklist-view';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Query = z.object({ status: z.enum(WORKLIST_VIEWS).default('active') });

/**
 * The worklist in rank order: flagged first, then the "any" probability, then arrival.
 * `?status=active` (default, the live list) | `reported` | `dismissed` (finished, newest first) | `all`.
 */
export const GET = route(
  { permission: 'readWorklist', query: Query },
  async ({ query, services }) => ({ studies: await services.worklist(query.status) }),
);
