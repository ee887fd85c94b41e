import { requirePageUser } from '@/server/http/page-auth';
import { PERMISSIONS } from '@/lib/roles';
import { SiteHeader } from '../site-header';
import { OperatingPointPanel } from './operating-point-panel';
import { OperationsDashboard } from './operations-dashboard';
import { OutboxPanel } from './outbox-panel';

export const dynamic = 'force-dynamic';

export default async function OperationsPage() {
  const user = await requirePageUser({ roles: PERMISSIONS.readOperations });
  return (
    <div className="mx-auto flex max-w-7xl flex-col gap-6 p-6">
      <SiteHeader title="Operations" subtitle="Throughput, speed, queue and drift." user={{ username: user.username, role: user.role }} current="/operations" />
      <OperationsDashboard />
      <OperatingPointPanel canChange={user.role === 'admin'} />
      {user.role === 'admin' && <OutboxPanel />}
    </div>
  );
}
