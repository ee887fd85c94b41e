import { requirePageUser } from '@/server/http/page-auth';
import { PERMISSIONS } from '@/lib/roles';
import { QuarantineClient } from './quarantine-client';

export const dynamic = 'force-dynamic';

export default async function QuarantinePage() {
  const user = await requirePageUser({ roles: PERMISSIONS.administer });
  return <QuarantineClient user={{ username: user.username, role: user.role }} />;
}
