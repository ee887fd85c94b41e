import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as priorsRoute from '@/app/api/studies/[studyInstanceUid]/priors/route';
import type { PriorStudy } from '@/lib/prior-studies';
import { AuthService } from '@/server/auth/auth-service';
import { hashPassword } from '@/server/auth/password-hasher';
import { openDatabase, type Database } from '@/server/db';
import { registerServices, type ServerServices } from '@/server/http';
import { allTestDatabases } from '@/test/support/test-databases';
import { readPriorStudies } from './read-prior-studies';

const log = pino({ level: 'silent' });
const PASSWORD = 'a long enough test password';
const UID = (n: number) => `1.2.826.0.1.3680043.8.498.68.${n}`;

describe.each(allTestDatabases())('prior studies of a patient on $provider', (dbs) => {
  let db: Database;
  const cookies: Record<string, string> = {};
  let token: string;

  beforeAll(async () => {
    if (dbs.unavailable) return;
    await dbs.start();
    const t = await dbs.fresh();
    db = await openDatabase({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, log });
    const auth = new AuthService({ prisma: db.prisma, log, sessionTtlMs: 3_600_000, failureFloorMs: 0 });
    registerServices({ auth, priors: (uid, options) => readPriorStudies(db.prisma, uid, options) } as Partial<ServerServices> as ServerServices);
    const passwordHash = await hashPassword(PASSWORD);
    for (const role of ['clinician', 'admin'] as const) {
      await db.prisma.user.create({ data: { username: role, role, passwordHash, mustChangePassword: false } });
      const r = await auth.login({ username: role, password: PASSWORD });
      if (!r.ok) throw new Error('login failed');
      cookies[role] = `ich_session=${r.token}`;
    }
    token = (await auth.createApiToken({ name: 'ris', role: 'clinician' })).token;
    const study = (n: number, PatientID: string | null, day: number, data: object = {}) =>
      db.prisma.study.create({
        data: { StudyInstanceUID: UID(n), PatientID, PatientName: 'DOE^JANE', StudyDate: `202611${String(day).padStart(2, '0')}`, StudyDescription: 'CT HEAD', receivedAt: new Date(Date.UTC(2026, 10, day)), ...data },
      });
    await study(1, 'MRN-1', 20, { status: 'reported', outcome: 'flagged', flagged: true, anyProbability: 0.91 });
    await study(2, 'MRN-1', 22, { status: 'dismissed', outcome: 'not_analysable', notAnalysableReason: 'DICOM_NOT_CT' });
    await study(3, 'MRN-1', 25, { status: 'triaged', outcome: 'not_flagged', anyProbability: 0.04 });
    await study(4, 'MRN-2', 21);
    await study(5, null, 23);
    await study(6, null, 24);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await dbs.stop();
  });

  const get = async (uid: string, auth: { cookie?: string; bearer?: string }) => {
    const headers: Record<string, string> = { host: 'triage.test' };
    if (auth.cookie) headers.cookie = auth.cookie;
    if (auth.bearer) headers.authorization = `Bearer ${auth.bearer}`;
    const res = await priorsRoute.GET(new Request(`http://triage.test/api/studies/${uid}/priors`, { headers }), { params: Promise.resolve({ studyInstanceUid: uid }) });
    return { status: res.status, body: (await res.json()) as { priors?: PriorStudy[] } };
  };

  it.skipIf(dbs.unavailable)('lists the same patient’s other studies, newest first, with their outcome', async () => {
    const { status, body } = await get(UID(3), { cookie: cookies.clinician });
    expect(status).toBe(200);
    expect(body.priors).toEqual([
      {
        studyInstanceUid: UID(2),
        receivedAt: '2026-11-22T00:00:00.000Z',
        studyDate: '20261122',
        studyDescription: 'CT HEAD',
        status: 'dismissed',
        outcome: 'not_analysable',
        flagged: false,
        escalated: false,
        anyProbability: null,
        notAnalysableReason: 'DICOM_NOT_CT',
      },
      expect.objectContaining({ studyInstanceUid: UID(1), status: 'reported', outcome: 'flagged', flagged: true, anyProbability: 0.91 }),
    ]);
    expect(JSON.stringify(body)).not.toMatch(/MRN|DOE/);
  });

  it.skipIf(dbs.unavailable)('gives admins and service tokens no study date or description', async () => {
    for (const auth of [{ cookie: cookies.admin }, { bearer: token }]) {
      const { status, body } = await get(UID(1), auth);
      expect(status).toBe(200);
      expect(body.priors?.map((p) => [p.studyInstanceUid, p.studyDate, p.studyDescription])).toEqual([
        [UID(3), null, null],
        [UID(2), null, null],
      ]);
    }
  });

  it.skipIf(dbs.unavailable)('a study without PatientID has no priors (others without one are not its priors); unknown 404, bad UID 422, signed out 401', async () => {
    expect((await get(UID(5), { cookie: cookies.clinician })).body.priors).toEqual([]);
    expect((await get(UID(4), { cookie: cookies.clinician })).body.priors).toEqual([]);
    expect((await get('1.2.3.4', { cookie: cookies.clinician })).status).toBe(404);
    expect((await get('not-a-uid', { cookie: cookies.clinician })).status).toBe(422);
    expect((await get(UID(3), {})).status).toBe(401);
  });
});
