import { requirePageUser } from '@/server/http/page-auth';
import { PERMISSIONS } from '@/lib/roles';
import { TokensClient } from './tokens-client';

export const dynamic = 'force-dynamic';

/** Admin: service-account tokens: list, create (shown once), revoke. */
export default async function TokensPage() {
  const user = await requirePageUser({ roles: PERMISSIONS.administer });
  return <TokensClient user={{ username: user.username, role: user.role }} />;
}
