import { requestOrigin } from '@/server/http/request-origin';
import { dicomwebPreflight } from '@/server/dicomweb';
import { searchStudies } from '@/server/dicomweb/dicomweb-handlers';
import { route } from '@/server/http/route';
import { storeInstances } from '@/server/ingest/stow/store-instances';

export const dynamic = 'force-dynamic';

/**
 * DICOMweb STOW-RS: POST /dicomweb/studies with multipart/related; type="application/dicom".
 * Service accounts (bearer token, role integration) and admins; route() checks before the body is read.
 */
export const POST = route({ permission: 'storeStudies' }, async ({ request, services, ip }) => {
  // The sender recorded with each instance: the client address (server/http/client-address.ts).
  const sender = ip ?? 'http';
  // RetrieveURLs name the origin clients use (PUBLIC_URL, else the checked Host), not Next's own.
  const base = `${requestOrigin(request)}/dicomweb`;
  const result = await storeInstances(request.body, request.headers.get('content-type'), { channel: 'stow', sender }, services.ingest, base, request.headers.get('content-length'));
  const isDicomJson = !('error' in result.body);
  return new Response(JSON.stringify(result.body), {
    status: result.status,
    headers: { 'content-type': isDicomJson ? 'application/dicom+json' : 'application/json' },
  });
});

/** QIDO-RS: GET /dicomweb/studies (server/dicomweb). */
export const GET = searchStudies;
export const OPTIONS = dicomwebPreflight;
