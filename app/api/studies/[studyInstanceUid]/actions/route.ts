import { z } from 'zod';
import { isAppError } from '@/lib/errors';
import { MAX_ACTION_TEXT, STUDY_ACTIONS } from '@/lib/study-actions';
import { clientIp } from '@/server/audit/client-ip';
import { errorResponse, requireAuth } from '@/server/auth/require-auth';
import { PERMISSIONS } from '@/server/auth/roles';
import { getServices } from '@/server/http';

export const dynamic = 'force-dynamic';

const UID = /^[0-9]+(\.[0-9]+)*$/;
// Lengths are checked precisely (after trimming) by the action; this only bounds the body.
const text = z.string().max(MAX_ACTION_TEXT * 4).optional();
const Body = z.object({ action: z.enum(STUDY_ACTIONS), comment: text, reason: text }).strict();

/**
 * A clinician action on a study: `{"action", "comment"?, "reason"?}` → `{"action","status","auditSeq"}`.
 * 404 unknown study, 409 not possible in the study's status, 422 a bad body or missing text.
 */
export async function POST(request: Request, ctx: { params: Promise<{ studyInstanceUid: string }> }) {
  const auth = await requireAuth(request, { roles: PERMISSIONS.actOnStudies });
  if (auth instanceof Response) return auth;
  const services = getServices()!;
  const { studyInstanceUid } = await ctx.params;
  if (!UID.test(studyInstanceUid) || studyInstanceUid.length > 64) return errorResponse('VALIDATION_FAILED', 'not a DICOM UID');
  const parsed = Body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) {
    return errorResponse('VALIDATION_FAILED', `send {"action":${STUDY_ACTIONS.join('|')},"comment"?,"reason"?} (text up to ${MAX_ACTION_TEXT} characters)`);
  }
  const actor =
    auth.kind === 'user'
      ? { userId: auth.userId, username: auth.username, ip: clientIp(request.headers) }
      : { userId: null, username: `token:${auth.name}`, ip: clientIp(request.headers) };
  try {
    const { studyId, result } = await services.actOnStudy(studyInstanceUid, parsed.data, actor);
    services.notifyStudyChanged(studyId);
    return Response.json(result, { headers: { 'cache-control': 'no-store' } });
  } catch (err) {
    if (isAppError(err)) return errorResponse(err.code, err.message);
    throw err;
  }
}
