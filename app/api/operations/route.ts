import { NextResponse } from 'next/server';
import { z } from 'zod';
import { OPERATIONS_WINDOWS } from '@/lib/operations';
import { requireAuth } from '@/server/auth/require-auth';
import { PERMISSIONS } from '@/server/auth/roles';
import { getServices } from '@/server/http';

export const dynamic = 'force-dynamic';

const Query = z.object({ window: z.enum(Object.keys(OPERATIONS_WINDOWS) as [keyof typeof OPERATIONS_WINDOWS]).default('24h') });

/** Throughput, time to triage, queue depth, flag rate, score histogram, disagreement rate, errors. */
export async function GET(request: Request) {
  const auth = await requireAuth(request, { roles: PERMISSIONS.readOperations });
  if (auth instanceof Response) return auth;
  const services = getServices();
  if (!services) return NextResponse.json({ error: { code: 'INTERNAL', message: 'server starting' } }, { status: 503 });
  const parsed = Query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) {
    return NextResponse.json({ error: { code: 'VALIDATION_FAILED', message: `window must be one of ${Object.keys(OPERATIONS_WINDOWS).join(', ')}` } }, { status: 422 });
  }
  return NextResponse.json(await services.operations(parsed.data.window), { headers: { 'cache-control': 'no-store' } });
}
