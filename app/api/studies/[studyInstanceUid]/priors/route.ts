import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { can } from '@/lib/roles';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Params = z.object({ studyInstanceUid: z.string().max(64).regex(/^[0-9]+(\.[0-9]+)*$/, 'not a DICOM UID') });

/**
 * The same patient's other studies held here, newest first: `{"priors":[{studyInstanceUid,
 * receivedAt, studyDate, studyDescription, status, outcome, flagged, escalated, anyProbability,
 * notAnalysableReason}]}`. Readers; the study date and description only for roles that treat
 * patients (never admins or service tokens). 404 unknown study.
 */
export const GET = route({ permission: 'readWorklist', params: Params }, async ({ principal, params, services }) => {
  const revealIdentity = principal.kind === 'user' && can(principal.role, 'viewPatientIdentity');
  if (!services.priors) throw new AppError('INTERNAL', 'prior studies are not available');
  const priors = await services.priors(params.studyInstanceUid, { revealIdentity });
  if (!priors) throw new AppError('NOT_FOUND', 'no such study');
  return { priors };
});
