import { z } from 'zod';
import { dicomUidSchema } from '@/lib/dicom-uid';
import { MAX_ACTION_TEXT, STUDY_ACTIONS } from '@/lib/study-actions';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const Params = z.object({ studyInstanceUid: dicomUidSchema });
// Lengths are checked precisely (after trimming) by the action; this only bounds the body.
const text = z.string().max(MAX_ACTION_TEXT * 4).optional();
const Body = z.object({ action: z.enum(STUDY_ACTIONS), comment: text, reason: text }).strict();

/**
 * A clinician action on a study: `{"action", "comment"?, "reason"?}` → `{"action","status","auditSeq"}`.
 * 404 unknown study, 409 not possible in the study's status, 422 a bad body or missing text.
 */
export const POST = route(
  {
    permission: 'actOnStudies',
    params: Params,
    body: Body,
    invalid: `send {"action":${STUDY_ACTIONS.join('|')},"comment"?,"reason"?} (text up to ${MAX_ACTION_TEXT} characters)`,
  },
  async ({ principal, params, body, services, ip }) => {
    const actor =
      principal.kind === 'user' ? { userId: principal.userId, username: principal.username, ip } : { userId: null, username: `token:${principal.name}`, ip };
    const { studyId, result } = await services.actOnStudy(params.studyInstanceUid, body, actor);
    services.notifyStudyChanged(studyId);
    return result;
  },
);
