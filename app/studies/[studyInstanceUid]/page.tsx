import { notFound } from 'next/navigation';
import { isSafeUid } from '@/lib/dicom-uid';
import { requirePageUser } from '@/server/http/page-auth';
import { getServices } from '@/server/http/service-registry';
import { PERMISSIONS } from '@/lib/roles';
import { StudyViewClient } from './study-view-client';

export const dynamic = 'force-dynamic';

export default async function StudyPage(props: { params: Promise<{ studyInstanceUid: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // Without a session: to /login; with a pending password change: to /account/password.
  const user = await requirePageUser({ roles: PERMISSIONS.readWorklist });
  const { studyInstanceUid } = await props.params;
  if (!isSafeUid(studyInstanceUid)) notFound();
  // A well-formed UID of a study never received here is not found either: a 404 with the styled
  // page, not an empty study view answered 200 (a mistyped or foreign link must read as one).
  // Only whether it exists: the client reads the detail through the API, which journals the view.
  const services = getServices();
  if (services && !(await services.studyExists(studyInstanceUid))) notFound();
  const slice = (await props.searchParams).slice;
  const initialSop = typeof slice === 'string' && isSafeUid(slice) ? slice : null;
  return <StudyViewClient key={studyInstanceUid} studyInstanceUid={studyInstanceUid} initialSop={initialSop} user={{ username: user.username, role: user.role }} />;
}
