import { auditActor } from '@/server/audit/audit-service';
import { uploadAuditDetails } from '@/server/audit/upload-audit-details';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

/**
 * Dashboard upload: `multipart/form-data` with .dcm and/or .zip files, each file and zip entry
 * through the durable ingest path; answers what became of every one (stored, duplicate,
 * quarantined with its reason, refused unread). Admins and integration tokens, like STOW-RS.
 * route() checks the permission before the body is read; the upload service bounds the body itself.
 * Journaled (`upload.received`): who, from where, counts and outcomes, never file names.
 */
export const POST = route({ permission: 'storeStudies' }, async ({ request, principal, services, ip }) => {
  const sender = principal.kind === 'user' ? principal.username : `token:${principal.name}`;
  const result = await services.upload(
    { body: request.body, contentType: request.headers.get('content-type'), contentLength: request.headers.get('content-length') },
    sender,
  );
  await services.audit.record({ actor: auditActor(principal), ip, action: 'upload.received', details: uploadAuditDetails(result.status, result.body) });
  return Response.json(result.body, { status: result.status });
});
