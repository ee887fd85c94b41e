import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

/** Readiness (server/metrics/readiness.ts): 200 when every check passes, else 503 naming the failing ones. */
export const GET = route({ permission: 'public' }, async ({ services, log }) => {
  if (!services.readiness) return Response.json({ status: 'not_ready', checks: [{ name: 'node', ok: false, detail: 'no readiness checks on this node' }] }, { status: 503 });
  const { ready, checks } = await services.readiness.check();
  if (!ready) log.warn({ failing: checks.filter((c) => !c.ok), databaseError: services.readiness.lastError }, 'not ready');
  return Response.json({ status: ready ? 'ready' : 'not_ready', checks }, { status: ready ? 200 : 503 });
});
