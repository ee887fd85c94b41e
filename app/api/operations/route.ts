import { z } from 'zod';
import { OPERATIONS_WINDOWS } from '@/lib/operations';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const windows = Object.keys(OPERATIONS_WINDOWS) as [keyof typeof OPERATIONS_WINDOWS];
const Query = z.object({ window: z.enum(windows, `window must be one of ${windows.join(', ')}`).default('24h') });

/** Throughput, time to triage, queue depth, flag rate, score histogram, disagreement rate, errors. */
export const GET = route({ permission: 'readOperations', query: Query }, async ({ query, services }) => services.operations(query.window));
