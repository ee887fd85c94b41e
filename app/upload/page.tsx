import { requirePageUser } from '@/server/http/page-auth';
import { PERMISSIONS } from '@/lib/roles';
import { UploadClient } from './upload-client';

export const dynamic = 'force-dynamic';

export default async function UploadPage() {
  // The same permission as POST /api/upload and STOW-RS: only admins sign in with it.
  const user = await requirePageUser({ roles: PERMISSIONS.storeStudies });
  return <UploadClient user={{ username: user.username, role: user.role }} />;
}
