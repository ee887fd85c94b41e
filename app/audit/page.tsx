import { requirePageUser } from '@/server/http/page-auth';
import { PERMISSIONS } from '@/lib/roles';
import { SiteHeader } from '../site-header';
import { AuditClient } from './audit-client';

export const dynamic = 'force-dynamic';

/** The global audit journal: who did what, when, from where; filters and CSV export. */
export default async function AuditPage() {
  const user = await requirePageUser({ roles: PERMISSIONS.readAudit });
  return (
    <div className="mx-auto flex max-w-7xl flex-col gap-6 p-6">
      <SiteHeader title="Audit history" subtitle="Every sign-in, study opened and action taken, hash-chained." user={{ username: user.username, role: user.role }} current="/audit" />
      <AuditClient />
    </div>
  );
}
