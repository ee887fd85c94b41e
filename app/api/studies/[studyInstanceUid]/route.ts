import { NextResponse } from 'next/server';
import { requireAuth } from '@/server/auth/require-auth';
import { can, PERMISSIONS } from '@/server/auth/roles';
import { auditActor } from '@/server/audit/audit-service';
import { clientIp } from '@/server/audit/client-ip';
import { getServices } from '@/server/http';

export const dynamic = 'force-dynamic';

const UID = /^[0-9]+(\.[0-9]+)*$/;

/** One study with its per-slice results, series choice and status history. */
export async function GET(request: Request, ctx: { params: Promise<{ studyInstanceUid: string }> }) {
  const auth = await requireAuth(request, { roles: PERMISSIONS.readWorklist });
  if (auth instanceof Response) return auth;
  const services = getServices();
  if (!services) return NextResponse.json({ error: { code: 'INTERNAL', message: 'server starting' } }, { status: 503 });
  const { studyInstanceUid } = await ctx.params;
  if (!UID.test(studyInstanceUid) || studyInstanceUid.length > 64) {
    return NextResponse.json({ error: { code: 'VALIDATION_FAILED', message: 'not a DICOM UID' } }, { status: 422 });
  }
  // Identifiers only for roles that treat patients; a service token never gets them.
  const revealIdentity = auth.kind === 'user' && can(auth.role, 'viewPatientIdentity');
  const detail = await services.study(studyInstanceUid, { revealIdentity });
  if (!detail) return NextResponse.json({ error: { code: 'NOT_FOUND', message: 'no such study' } }, { status: 404 });
  // Who opened which study (issue 7 §2): recorded before the data leaves, so no read goes unrecorded.
  await services.audit.recordStudyView(auditActor(auth), studyInstanceUid, clientIp(request.headers));
  return NextResponse.json(detail);
}
