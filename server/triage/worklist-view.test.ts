import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as worklistRoute from '@/app/api/worklist/route';
import type { WorklistItem } from '@/lib/worklist';
import { AuthService } from '@/server/auth/auth-service';
import { hashPassword } from '@/server/auth/password-hasher';
import { openDatabase, type Database, type DbClient } from '@/server/db';
import { registerServices, type ServerServices } from '@/server/http';
import { allTestDatabases } from '@/test/support/test-databases';
import { readWorklist } from './worklist-query';

const log = pino({ level: 'silent' });
const PASSWORD = 'a long enough test password';
let uidCounter = 0;

async function createStudy(prisma: DbClient, status: WorklistItem['status'], receivedAt: Date, anyProbability = 0.2) {
  const uid = `1.2.826.0.1.3680043.8.498.67.${++uidCounter}`;
  const closed = status === 'reported' || status === 'dismissed';
  await prisma.study.create({ data: { StudyInstanceUID: uid, status, outcome: 'not_flagged', anyProbability, priorityTier: closed ? 3 : 2, receivedAt } });
  return uid;
}

describe.each(allTestDatabases())('finished studies in the worklist on $provider', (dbs) => {
  let db: Database;
  let cookie: string;
  const uids: Record<string, string> = {};

  beforeAll(async () => {
    if (dbs.unavailable) return;
    await dbs.start();
    const t = await dbs.fresh();
    db = await openDatabase({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, log });
    const auth = new AuthService({ prisma: db.prisma, log, sessionTtlMs: 3_600_000, failureFloorMs: 0 });
    registerServices({ auth, worklist: (view) => readWorklist(db.prisma, 50, view) } as Partial<ServerServices> as ServerServices);
    await db.prisma.user.create({ data: { username: 'ana', role: 'clinician', passwordHash: await hashPassword(PASSWORD), mustChangePassword: false } });
    const r = await auth.login({ username: 'ana', password: PASSWORD });
    if (!r.ok) throw new Error('login failed');
    cookie = `ich_session=${r.token}`;
    const at = (min: number) => new Date(Date.UTC(2026, 11, 1, 8, min));
    uids.open = await createStudy(db.prisma, 'triaged', at(0), 0.4);
    uids.reviewing = await createStudy(db.prisma, 'in_review', at(1), 0.3);
    uids.reportedOld = await createStudy(db.prisma, 'reported', at(2));
    uids.reportedNew = await createStudy(db.prisma, 'reported', at(5));
    uids.dismissed = await createStudy(db.prisma, 'dismissed', at(3));
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await dbs.stop();
  });

  const get = async (query: string) => {
    const res = await worklistRoute.GET(new Request(`http://triage.test/api/worklist${query}`, { headers: { host: 'triage.test', cookie } }));
    return { status: res.status, body: (await res.json()) as { studies?: WorklistItem[]; error?: { message: string } } };
  };
  const rows = (studies: WorklistItem[] | undefined) => (studies ?? []).map((s) => [s.studyInstanceUid, s.status, s.rank]);

  it.skipIf(dbs.unavailable)('GET /api/worklist holds the active studies only, ranked; ?status=active says the same', async () => {
    const plain = await get('');
    expect(plain.status).toBe(200);
    expect(rows(plain.body.studies)).toEqual([
      [uids.open, 'triaged', 1],
      [uids.reviewing, 'in_review', 2],
    ]);
    expect((await get('?status=active')).body).toEqual(plain.body);
  });

  it.skipIf(dbs.unavailable)('?status=reported and ?status=dismissed give the finished studies, newest first, with no rank', async () => {
    expect(rows((await get('?status=reported')).body.studies)).toEqual([
      [uids.reportedNew, 'reported', 0],
      [uids.reportedOld, 'reported', 0],
    ]);
    expect(rows((await get('?status=dismissed')).body.studies)).toEqual([[uids.dismissed, 'dismissed', 0]]);
  });

  it.skipIf(dbs.unavailable)('?status=all gives the active ones in rank order, then the finished ones', async () => {
    const all = (await get('?status=all')).body.studies ?? [];
    expect(all).toHaveLength(5);
    expect(rows(all.slice(0, 2))).toEqual([
      [uids.open, 'triaged', 1],
      [uids.reviewing, 'in_review', 2],
    ]);
    expect(new Set(all.slice(2).map((s) => s.status))).toEqual(new Set(['reported', 'dismissed']));
  });

  it.skipIf(dbs.unavailable)('refuses an unknown status with 422', async () => {
    const bad = await get('?status=closed');
    expect(bad.status).toBe(422);
    expect(bad.body.error?.message).toMatch(/status/);
  });
});
