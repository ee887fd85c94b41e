import { z } from 'zod';
import { dicomUidSchema } from '@/lib/dicom-uid';
import { isAppError } from '@/lib/errors';
import { type ServerServices } from '@/server/http/service-registry';
import { route, type RouteHandler } from '@/server/http/route';

const Params = z.object({ studyInstanceUid: dicomUidSchema, sopInstanceUid: dicomUidSchema });

/**
 * What both slice routes share: route() (readWorklist, no-store, UIDs checked: 422), and the
 * decoder's own code kept beside an undecodable slice's 409 (`error.decodeError`).
 */
export function sliceRoute(
  answer: (viewer: ServerServices['viewer'], studyInstanceUid: string, sopInstanceUid: string, request: Request) => Promise<Response>,
): RouteHandler {
  return route({ permission: 'readWorklist', params: Params }, async ({ params, services, request }) => {
    try {
      return await answer(services.viewer, params.studyInstanceUid, params.sopInstanceUid, request);
    } catch (err) {
      if (!isAppError(err) || !err.details?.decodeError) throw err;
      return Response.json({ error: { ...err.toJSON(), decodeError: err.details.decodeError } }, { status: err.status });
    }
  });
}
