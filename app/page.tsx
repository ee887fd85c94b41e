import { DashboardClient } from './dashboard-client';

export const dynamic = 'force-dynamic';

export default function DashboardPage() {
  return <DashboardClient />;
}
