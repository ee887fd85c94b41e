import { NextResponse } from 'next/server';
import { requireAuth } from '@/server/auth/require-auth';
import { PERMISSIONS } from '@/server/auth/roles';
import { getServices } from '@/server/http';
import { storeInstances } from '@/server/ingest/stow/store-instances';

export const dynamic = 'force-dynamic';

/** DICOMweb STOW-RS: POST /dicomweb/studies with multipart/related; type="application/dicom". */
export async function POST(request: Request) {
  // Service accounts (bearer token, role integration) and admins; checked before the body is read.
  const auth = await requireAuth(request, { roles: PERMISSIONS.storeStudies });
  if (auth instanceof Response) return auth;
  const services = getServices();
  if (!services) return NextResponse.json({ error: { code: 'INTERNAL', message: 'server starting' } }, { status: 503 });
  const sender = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || 'http';
  const base = new URL('/dicomweb', request.url).toString();
  const result = await storeInstances(request.body, request.headers.get('content-type'), { channel: 'stow', sender }, services.ingest, base);
  const isDicomJson = !('error' in result.body);
  return new NextResponse(JSON.stringify(result.body), {
    status: result.status,
    headers: { 'content-type': isDicomJson ? 'application/dicom+json' : 'application/json' },
  });
}
