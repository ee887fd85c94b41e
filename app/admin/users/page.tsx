import { requirePageUser } from '@/server/http/page-auth';
import { PERMISSIONS } from '@/lib/roles';
import { UsersClient } from './users-client';

export const dynamic = 'force-dynamic';

/** Admin: accounts, roles, disable/enable, unlock, and new accounts with a one-time password. */
export default async function UsersPage() {
  const user = await requirePageUser({ roles: PERMISSIONS.administer });
  return <UsersClient user={{ id: user.userId, username: user.username, role: user.role }} />;
}
