import type { Logger } from '@/server/logging';
import type { Readiness } from './readiness';

/**
 * The answer of GET /api/health/ready, on web nodes (app/api/health/ready) and worker nodes
 * (server/node/worker-http.ts) alike: 200 when every check passes, else 503 naming the failing
 * ones. The database driver's own message goes to the log only (it may name hosts and users).
 */
export async function readinessAnswer(readiness: Readiness | undefined, log: Pick<Logger, 'warn'>): Promise<Response> {
  if (!readiness) return Response.json({ status: 'not_ready', checks: [{ name: 'node', ok: false, detail: 'no readiness checks on this node' }] }, { status: 503 });
  const { ready, checks } = await readiness.check();
  if (!ready) log.warn({ failing: checks.filter((c) => !c.ok), databaseError: readiness.lastError }, 'not ready');
  return Response.json({ status: ready ? 'ready' : 'not_ready', checks }, { status: ready ? 200 : 503 });
}
