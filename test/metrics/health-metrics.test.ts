import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as live from '@/app/api/health/live/route';
import * as ready from '@/app/api/health/ready/route';
import * as metricsRoute from '@/app/metrics/route';
import type { Principal } from '@/server/auth/principal';
import { MIGRATIONS_DIRS, openDatabase, type Database } from '@/server/db';
import { registerServices, type ServerServices } from '@/server/http';
import { Readiness, ServerMetrics } from '@/server/metrics';

const admin: Principal = { kind: 'token', tokenId: 't-prom', name: 'prometheus', role: 'admin' };
const clinician: Principal = { kind: 'user', userId: 'u1', username: 'cara', role: 'clinician', sessionId: 's', mustChangePassword: false };
const PRINCIPALS: Record<string, Principal> = { prom: admin, cara: clinician };
const get = (path: string, bearer?: string) => new Request(`http://triage.local${path}`, { headers: { host: 'triage.local', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) } });

describe('health and metrics (SQLite)', () => {
  let dir: string;
  let db: Database;
  let listening = true;
  let readiness: Readiness;
  let metrics: ServerMetrics;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'health-'));
    db = await openDatabase({ dataDir: dir, log: pino({ level: 'silent' }) });
    readiness = new Readiness({ prisma: db.prisma, provider: db.provider, dicomListening: () => listening, modelLoaded: () => true });
    metrics = new ServerMetrics({ prisma: db.prisma, role: 'all', socketClients: () => 3 });
    registerServices({
      auth: { authenticate: async (h: Pick<Headers, 'get'>) => PRINCIPALS[h.get('authorization')?.replace(/^Bearer /, '') ?? ''] ?? null },
      log: pino({ level: 'silent' }),
      readiness,
      metrics,
    } as unknown as ServerServices);
  }, 60_000);
  afterAll(async () => {
    registerServices(undefined as unknown as ServerServices);
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('live answers ok; ready answers 200 with every check passing', async () => {
    expect(await (await live.GET(get('/api/health/live'))).json()).toEqual({ status: 'ok' });
    const res = await ready.GET(get('/api/health/ready'));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { status: string; checks: { name: string; ok: boolean }[] };
    expect(body.status).toBe('ready');
    expect(body.checks.map((c) => [c.name, c.ok])).toEqual([
      ['database', true],
      ['migrations', true],
      ['queue', true],
      ['dicom_listener', true],
      ['model', true],
    ]);
  });

  it('503 naming the DICOM listener when it is down', async () => {
    listening = false;
    const res = await ready.GET(get('/api/health/ready'));
    listening = true;
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; checks: { name: string; ok: boolean; detail?: string }[] };
    expect(body.status).toBe('not_ready');
    expect(body.checks.filter((c) => !c.ok)).toEqual([{ name: 'dicom_listener', ok: false, detail: 'not listening' }]);
  });

  it('a queue is stuck when a job waited past the limit and nothing finished meanwhile, not when it is merely busy', async () => {
    const old = new Date(Date.now() - 10 * 60_000);
    const job = await db.prisma.job.create({ data: { kind: 'analyse-instance', payload: {}, runAfter: old, createdAt: old } });
    let failing = (await readiness.check()).checks.filter((c) => !c.ok);
    expect(failing).toEqual([{ name: 'queue', ok: false, detail: expect.stringMatching(/^a job has waited 6\d\d s unclaimed/) }]);
    await db.prisma.job.create({ data: { kind: 'analyse-instance', payload: {}, status: 'done' } });
    failing = (await readiness.check()).checks.filter((c) => !c.ok);
    expect(failing).toEqual([]);
    await db.prisma.job.deleteMany({ where: { id: { not: job.id } } });
    await db.prisma.job.delete({ where: { id: job.id } });
  });

  it('names migrations that are not applied', async () => {
    const migrations = join(dir, 'migrations');
    cpSync(MIGRATIONS_DIRS.sqlite, migrations, { recursive: true });
    mkdirSync(join(migrations, '29991231000000_future'));
    writeFileSync(join(migrations, '29991231000000_future', 'migration.sql'), 'SELECT 1;');
    const r = new Readiness({ prisma: db.prisma, provider: 'sqlite', modelLoaded: () => true, migrationsDir: migrations });
    expect((await r.check()).checks.find((c) => c.name === 'migrations')).toEqual({ name: 'migrations', ok: false, detail: 'not applied: 29991231000000_future' });
  });

  it('/metrics: 401 for a stranger, 403 for a clinician, Prometheus text for an admin token', async () => {
    expect((await metricsRoute.GET(get('/metrics'))).status).toBe(401);
    expect((await metricsRoute.GET(get('/metrics', 'cara'))).status).toBe(403);
    metrics.ingested('dimse', 'stored');
    metrics.ingested('dimse', 'stored');
    metrics.ingested('stow', 'quarantined');
    metrics.observeBatch(16, 0.012);
    const study = await db.prisma.study.create({ data: { StudyInstanceUID: '1.2.3.77', receivedAt: new Date(Date.now() - 12_000), triagedAt: new Date(), flagged: true, status: 'triaged' } });
    await db.prisma.job.create({ data: { kind: 'analyse-instance', payload: {} } });
    const published: string[] = [];
    metrics.watchStudyChanges((id: string, change: string) => published.push(`${id}:${change}`))(study.id, 'triaged');
    expect(published).toEqual([`${study.id}:triaged`]);
    await new Promise((r) => setTimeout(r, 100));

    const res = await metricsRoute.GET(get('/metrics', 'prom'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('ich_ingest_instances_total{channel="dimse",outcome="stored",role="all"} 2');
    expect(text).toContain('ich_ingest_instances_total{channel="stow",outcome="quarantined",role="all"} 1');
    expect(text).toContain('ich_queue_jobs{status="pending",role="all"} 1');
    expect(text).toContain('ich_inference_batch_size_count{role="all"} 1');
    expect(text).toContain('ich_inference_batch_seconds_sum{role="all"} 0.012');
    expect(text).toContain('ich_time_to_triage_seconds_bucket{le="15",role="all"} 1');
    expect(text).toContain('ich_time_to_triage_seconds_bucket{le="10",role="all"} 0');
    expect(text).toContain('ich_studies_flagged_total{role="all"} 1');
    expect(text).toContain('ich_studies_flagged_open{role="all"} 1');
    expect(text).toContain('ich_socket_clients{role="all"} 3');
    expect(text).toMatch(/ich_process_resident_memory_bytes\{role="all"\} \d+/);
  });

  it('a closed database makes ready fail on the database check without leaking the driver message', async () => {
    const other = await openDatabase({ dataDir: join(dir, 'other'), log: pino({ level: 'silent' }) });
    const r = new Readiness({ prisma: other.prisma, provider: other.provider, modelLoaded: () => true });
    await other.close();
    rmSync(join(dir, 'other'), { recursive: true, force: true });
    const result = await r.check();
    expect(result.ready).toBe(false);
    expect(result.checks[0]).toEqual({ name: 'database', ok: false, detail: 'unreachable' });
  });
});
