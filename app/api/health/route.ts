import { NextResponse } from 'next/server';
import { getServices } from '@/server/http';

export const dynamic = 'force-dynamic';

/** Liveness and what is running: version, start time, active model and execution provider. */
export function GET() {
  const services = getServices();
  if (!services) {
    return NextResponse.json({ status: 'starting' }, { status: 503 });
  }
  return NextResponse.json({ status: 'ok', ...services.status() });
}
