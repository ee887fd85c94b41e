import { isAppError } from '@/lib/errors';
import { errorResponse, requireAuth } from '@/server/auth/require-auth';
import { PERMISSIONS } from '@/server/auth/roles';
import { getServices, type ServerServices } from '@/server/http';

const UID = /^[0-9]+(\.[0-9]+)*$/;

export type SliceParams = { params: Promise<{ studyInstanceUid: string; sopInstanceUid: string }> };

/**
 * What both slice routes share: authentication (readWorklist), the running server, UIDs checked
 * (422), and AppErrors turned into their status (404 unknown, 409 undecodable with the decoder's
 * code in `error.decodeError`).
 */
export async function handleSliceRequest(
  request: Request,
  ctx: SliceParams,
  answer: (viewer: ServerServices['viewer'], studyInstanceUid: string, sopInstanceUid: string) => Promise<Response>,
): Promise<Response> {
  const auth = await requireAuth(request, { roles: PERMISSIONS.readWorklist });
  if (auth instanceof Response) return auth;
  const services = getServices();
  if (!services) return errorResponse('INTERNAL', 'server starting', { 'retry-after': '1' });
  const { studyInstanceUid, sopInstanceUid } = await ctx.params;
  for (const uid of [studyInstanceUid, sopInstanceUid]) {
    if (!UID.test(uid) || uid.length > 64) return errorResponse('VALIDATION_FAILED', 'not a DICOM UID (digits and dots, at most 64 characters)');
  }
  try {
    return await answer(services.viewer, studyInstanceUid, sopInstanceUid);
  } catch (err) {
    if (!isAppError(err)) throw err;
    return Response.json({ error: { ...err.toJSON(), ...(err.details?.decodeError ? { decodeError: err.details.decodeError } : {}) } }, { status: err.status });
  }
}
