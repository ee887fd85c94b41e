import { z } from 'zod';
import { dicomUidSchema } from '@/lib/dicom-uid';
import { auditActor } from '@/server/audit/audit-service';
import { viewerUrlFor } from '@/server/dicomweb/dicomweb-env';
import { can } from '@/lib/roles';
import { errorResponse } from '@/server/http/error-response';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Params = z.object({ studyInstanceUid: dicomUidSchema });

/** One study with its per-slice results, series choice and status history. */
export const GET = route({ permission: 'readWorklist', params: Params }, async ({ principal, params, services, ip }) => {
  const { studyInstanceUid } = params;
  // Identifiers only for roles that treat patients; a service token never gets them.
  const revealIdentity = principal.kind === 'user' && can(principal.role, 'viewPatientIdentity');
  const detail = await services.study(studyInstanceUid, { revealIdentity });
  if (!detail) return errorResponse('NOT_FOUND', 'no such study');
  // Who opened which study (issue 7 §2): recorded before the data leaves, so no read goes unrecorded.
  await services.audit.recordStudyView(auditActor(principal), studyInstanceUid, ip);
  const viewerUrl = viewerUrlFor(services.dicomweb?.viewerUrlTemplate, studyInstanceUid);
  return viewerUrl ? { ...detail, viewerUrl } : detail;
});
