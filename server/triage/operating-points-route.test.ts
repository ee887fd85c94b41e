import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as pointsRoute from '@/app/api/operating-points/route';
import type { OperatingPointsView } from '@/lib/study-decision';
import { AuditService } from '@/server/audit';
import { AuthService } from '@/server/auth/auth-service';
import { hashPassword } from '@/server/auth/password-hasher';
import { openDatabase, type Database } from '@/server/db';
import { registerServices, type ServerServices } from '@/server/http';
import { allTestDatabases } from '@/test/support/test-databases';
import { OperatingPointsInForce } from './operating-points-in-force';

const log = pino({ level: 'silent' });
const PASSWORD = 'a long enough test password';
const manifest = { name: 'unit', version: '1.0.0', operatingPoints: { any: { threshold: 0.03 } } } as ConstructorParameters<typeof OperatingPointsInForce>[0]['manifest'];

describe.each(allTestDatabases())('GET and PUT /api/operating-points on $provider', (dbs) => {
  let db: Database;
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    if (dbs.unavailable) return;
    await dbs.start();
    const t = await dbs.fresh();
    db = await openDatabase({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, log });
    const auth = new AuthService({ prisma: db.prisma, log, sessionTtlMs: 3_600_000, failureFloorMs: 0 });
    const operatingPoints = new OperatingPointsInForce({ prisma: db.prisma, manifest, cacheMs: 0 });
    registerServices({ auth, audit: new AuditService({ prisma: db.prisma, provider: db.provider }), operatingPoints } as Partial<ServerServices> as ServerServices);
    for (const [username, role] of [['ana', 'clinician'], ['rad', 'radiologist'], ['boss', 'admin']] as const) {
      await db.prisma.user.create({ data: { username, role, passwordHash: await hashPassword(PASSWORD), mustChangePassword: false } });
      const r = await auth.login({ username, password: PASSWORD });
      if (!r.ok) throw new Error('login failed');
      cookies[username] = `ich_session=${r.token}`;
    }
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await dbs.stop();
  });

  const call = async (who: string, method: 'GET' | 'PUT', body?: unknown) => {
    const headers: Record<string, string> = { host: 'triage.test', cookie: cookies[who]!, origin: 'http://triage.test' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await pointsRoute[method](new Request('http://triage.test/api/operating-points', { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
    return { status: res.status, body: (await res.json()) as OperatingPointsView & { error?: { message: string } } };
  };

  it.skipIf(dbs.unavailable)('shows the point in force to operations readers; only an admin changes it, with a reason, audited', async () => {
    const read = await call('rad', 'GET');
    expect(read.status).toBe(200);
    expect(read.body.inForce).toEqual({ source: 'slice-level', model: 'unit@1.0.0', points: { any: { threshold: 0.03 } } });
    expect((await call('ana', 'GET')).status).toBe(403);
    expect((await call('rad', 'PUT', { use: 'custom', threshold: 0.3, reason: 'too many flags' })).status).toBe(403);
    expect((await call('boss', 'PUT', { use: 'custom', reason: 'no threshold' })).status).toBe(422);
    expect((await call('boss', 'PUT', { use: 'custom', threshold: 1.5, reason: 'out of range' })).status).toBe(422);
    expect((await call('boss', 'PUT', { use: 'manifest', threshold: 0.2, reason: 'threshold only with custom' })).status).toBe(422);
    expect((await call('boss', 'PUT', { use: 'site', reason: 'none loaded' })).body.error?.message).toMatch(/no site calibration/);

    const changed = await call('boss', 'PUT', { use: 'custom', threshold: 0.3, reason: 'too many flags on the new scanner' });
    expect(changed.status).toBe(200);
    expect(changed.body.inForce).toMatchObject({ source: 'admin', points: { any: { threshold: 0.3 } }, setBy: 'boss' });
    expect(changed.body.history).toEqual([expect.objectContaining({ setBy: 'boss', anyThreshold: 0.3, reason: 'too many flags on the new scanner' })]);
    const entry = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'operating_point.changed' } });
    expect(entry.actorUsername).toBe('boss');
    expect((await call('rad', 'GET')).body.inForce.source).toBe('admin');
  });
});
