import { notFound } from 'next/navigation';
import { isSafeUid } from '@/lib/dicom-uid';
import { requirePageUser } from '@/server/http/page-auth';
import { PERMISSIONS } from '@/lib/roles';
import { StudyViewClient } from './study-view-client';

export const dynamic = 'force-dynamic';


export default async function StudyPage(props: { params: Promise<{ studyInstanceUid: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // Without a session: to /login; with a pending password change: to /account/password.
  const user = await requirePageUser({ roles: PERMISSIONS.readWorklist });
  const { studyInstanceUid } = await props.params;
  if (!isSafeUid(studyInstanceUid)) notFound();
  const slice = (await props.searchParams).slice;
  const initialSop = typeof slice === 'string' && isSafeUid(slice) ? slice : null;
  return <StudyViewClient key={studyInstanceUid} studyInstanceUid={studyInstanceUid} initialSop={initialSop} user={{ username: user.username, role: user.role }} />;
}
