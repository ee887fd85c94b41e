import { z } from 'zod';
import { dicomUidSchema } from '@/lib/dicom-uid';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Params = z.object({ studyInstanceUid: dicomUidSchema });

/** A study's audit timeline, oldest first: `{"entries":[…]}` (who, what, when, from where). */
export const GET = route({ permission: 'readWorklist', params: Params }, async ({ params, services }) => ({
  entries: await services.audit.timeline(params.studyInstanceUid),
}));
