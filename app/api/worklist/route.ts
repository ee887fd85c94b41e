import { NextResponse } from 'next/server';
import { requireAuth } from '@/server/auth/require-auth';
import { PERMISSIONS } from '@/server/auth/roles';
import { getServices } from '@/server/http';

export const dynamic = 'force-dynamic';

/** The active worklist in rank order: flagged first, then the "any" probability, then arrival. */
export async function GET(request: Request) {
  const auth = await requireAuth(request, { roles: PERMISSIONS.readWorklist });
  if (auth instanceof Response) return auth;
  const services = getServices();
  if (!services) return NextResponse.json({ error: { code: 'INTERNAL', message: 'server starting' } }, { status: 503 });
  return NextResponse.json({ studies: await services.worklist() });
}
