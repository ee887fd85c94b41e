import type { DbClient, DatabaseProvider } from '@/server/db';
import { MIGRATIONS_DIRS, readMigrationFiles } from '@/server/db';

/** One readiness check: its name, whether it passed, and why not. */
export interface ReadinessCheck {
  name: 'database' | 'migrations' | 'dicom_listener' | 'model' | 'queue';
  ok: boolean;
  detail?: string;
}

export interface ReadinessOptions {
  prisma: DbClient;
  provider: DatabaseProvider;
  /** Whether every configured DICOM listener is bound; absent on a node without one (worker). */
  dicomListening?: (() => boolean) | undefined;
  /** Whether this node's model is loaded (a web node verified the manifest at start: always true). */
  modelLoaded: () => boolean;
  /** A job ready this long without being claimed means no worker is taking work. */
  stuckAfterMs?: number;
  /** Test seam for the migrations folder. */
  migrationsDir?: string;
}

/**
 * GET /api/health/ready: whether this node can do its work now. Each check runs every time (no
 * cache) and is bounded by the database's own timeouts; the answer lists every failing check, so
 * an orchestrator's log says which.
 */
export class Readiness {
  private readonly expected: string[];
  private readonly stuckAfterMs: number;
  /** The last database error, for the logs (never in the public answer). */
  lastError: string | undefined;

  constructor(private readonly opts: ReadinessOptions) {
    this.expected = readMigrationFiles(opts.migrationsDir ?? MIGRATIONS_DIRS[opts.provider], opts.provider).map((m) => m.name);
    this.stuckAfterMs = opts.stuckAfterMs ?? 5 * 60_000;
  }

  async check(now = new Date()): Promise<{ ready: boolean; checks: ReadinessCheck[] }> {
    const checks: ReadinessCheck[] = [];
    const { prisma } = this.opts;
    let dbUp = false;
    try {
      await prisma.$queryRawUnsafe('SELECT 1');
      dbUp = true;
      checks.push({ name: 'database', ok: true });
    } catch (err) {
      // The driver's message may name hosts and users: logged by the route, not answered to anyone.
      checks.push({ name: 'database', ok: false, detail: 'unreachable' });
      this.lastError = (err as Error).message.split('\n')[0];
    }
    if (dbUp) {
      try {
        const rows = await prisma.$queryRawUnsafe<{ migration_name: string }[]>('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL');
        const applied = new Set(rows.map((r) => r.migration_name));
        const missing = this.expected.filter((m) => !applied.has(m));
        checks.push(missing.length === 0 ? { name: 'migrations', ok: true } : { name: 'migrations', ok: false, detail: `not applied: ${missing.join(', ')}` });
      } catch {
        checks.push({ name: 'migrations', ok: false, detail: 'the migration history cannot be read' });
      }
      try {
        // Stuck, not merely busy: a job has waited past the limit AND nothing finished meanwhile
        // (a long backlog that is being worked through is fine; done jobs are pruned later).
        const since = new Date(now.getTime() - this.stuckAfterMs);
        const oldest = await prisma.job.findFirst({ where: { status: 'pending', runAfter: { lt: since } }, orderBy: { runAfter: 'asc' }, select: { runAfter: true } });
        const progressed = oldest ? await prisma.job.findFirst({ where: { status: { in: ['done', 'leased'] }, updatedAt: { gte: since } }, select: { id: true } }) : null;
        checks.push(
          oldest && !progressed
            ? { name: 'queue', ok: false, detail: `a job has waited ${Math.round((now.getTime() - oldest.runAfter.getTime()) / 1000)} s unclaimed and no job finished meanwhile (no worker taking work?)` }
            : { name: 'queue', ok: true },
        );
      } catch {
        checks.push({ name: 'queue', ok: false, detail: 'the queue cannot be read' });
      }
    }
    if (this.opts.dicomListening) {
      const up = this.opts.dicomListening();
      checks.push(up ? { name: 'dicom_listener', ok: true } : { name: 'dicom_listener', ok: false, detail: 'not listening' });
    }
    checks.push(this.opts.modelLoaded() ? { name: 'model', ok: true } : { name: 'model', ok: false, detail: 'not loaded' });
    return { ready: checks.every((c) => c.ok), checks };
  }
}
