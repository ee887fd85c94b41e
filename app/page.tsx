import { requirePageUser } from '@/server/http/page-auth';
import { PERMISSIONS } from '@/lib/roles';
import { DashboardClient } from './dashboard-client';

export const dynamic = 'force-dynamic';

export default async function DashboardPage() {
  // Without a session: to /login; with a pending password change: to /account/password.
  const user = await requirePageUser({ roles: PERMISSIONS.readWorklist });
  return <DashboardClient user={{ username: user.username, role: user.role }} />;
}
