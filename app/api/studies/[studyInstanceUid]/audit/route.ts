import { errorResponse, requireAuth } from '@/server/auth/require-auth';
import { PERMISSIONS } from '@/server/auth/roles';
import { getServices } from '@/server/http';

export const dynamic = 'force-dynamic';

const UID = /^[0-9]+(\.[0-9]+)*$/;

/** A study's audit timeline, oldest first: `{"entries":[…]}` (who, what, when, from where). */
export async function GET(request: Request, ctx: { params: Promise<{ studyInstanceUid: string }> }) {
  const auth = await requireAuth(request, { roles: PERMISSIONS.readWorklist });
  if (auth instanceof Response) return auth;
  const { studyInstanceUid } = await ctx.params;
  if (!UID.test(studyInstanceUid) || studyInstanceUid.length > 64) return errorResponse('VALIDATION_FAILED', 'not a DICOM UID');
  const entries = await getServices()!.audit.timeline(studyInstanceUid);
  return Response.json({ entries }, { headers: { 'cache-control': 'no-store' } });
}
