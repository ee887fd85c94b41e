import { requireAuth } from '@/server/auth/require-auth';
import { PERMISSIONS } from '@/server/auth/roles';
import { getServices } from '@/server/http';

export const dynamic = 'force-dynamic';

/**
 * Dashboard upload: `multipart/form-data` with .dcm and/or .zip files, each file and zip entry
 * through the durable ingest path; answers what became of every one (stored, duplicate,
 * quarantined with its reason, refused unread). Admins and integration tokens, like STOW-RS.
 */
export async function POST(request: Request) {
  // Checked before the body is read: nobody else gets to make us buffer anything.
  const auth = await requireAuth(request, { roles: PERMISSIONS.storeStudies });
  if (auth instanceof Response) return auth;
  const sender = auth.kind === 'user' ? auth.username : `token:${auth.name}`;
  const result = await getServices()!.upload(
    { body: request.body, contentType: request.headers.get('content-type'), contentLength: request.headers.get('content-length') },
    sender,
  );
  return Response.json(result.body, { status: result.status, headers: { 'cache-control': 'no-store' } });
}
