import { z } from 'zod';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Params = z.object({ studyInstanceUid: z.string().max(64).regex(/^[0-9]+(\.[0-9]+)*$/, 'not a DICOM UID') });

/** A study's audit timeline, oldest first: `{"entries":[…]}` (who, what, when, from where). */
export const GET = route({ permission: 'readWorklist', params: Params }, async ({ params, services }) => ({
  entries: await services.audit.timeline(params.studyInstanceUid),
}));
