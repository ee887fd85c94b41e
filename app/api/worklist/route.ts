import { NextResponse } from 'next/server';
import { getServices } from '@/server/http';

export const dynamic = 'force-dynamic';

/** The active worklist in rank order: flagged first, then the "any" probability, then arrival. */
export async function GET() {
  const services = getServices();
  if (!services) return NextResponse.json({ error: { code: 'INTERNAL', message: 'server starting' } }, { status: 503 });
  return NextResponse.json({ studies: await services.worklist() });
}
