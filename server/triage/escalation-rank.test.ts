import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as studyRoute from '@/app/api/studies/[studyInstanceUid]/route';
import * as worklistRoute from '@/app/api/worklist/route';
import type { StudyDetail } from '@/lib/study-detail';
import type { WorklistItem } from '@/lib/worklist';
import { AuditService } from '@/server/audit';
import { AuthService } from '@/server/auth/auth-service';
import { hashPassword } from '@/server/auth/password-hasher';
import { openDatabase, type Database, type DbClient } from '@/server/db';
import { registerServices, type ServerServices } from '@/server/http';
import { allTestDatabases } from '@/test/support/test-databases';
import { PRIORITY_TIERS } from './priority';
import { readStudyDetail } from './study-query';
import { readWorklist } from './worklist-query';

const log = pino({ level: 'silent' });
const PASSWORD = 'a long enough test password';
let uidCounter = 0;

async function createStudy(prisma: DbClient, data: Record<string, unknown>) {
  const uid = `1.2.826.0.1.3680043.8.498.68.${++uidCounter}`;
  const row = await prisma.study.create({ data: { StudyInstanceUID: uid, status: 'triaged', outcome: 'not_flagged', anyProbability: 0.1, priorityTier: PRIORITY_TIERS.ranked, ...data } });
  return { uid, id: row.id };
}

// Issue 12 item 1: an escalated subdural stayed at rank 16 of 17 (escalation shared tier 0 with the
// flagged studies, where the score then ordered it) while its page said "#24".
describe.each(allTestDatabases())('an escalated study sorts first, and every view agrees on its rank, on $provider', (dbs) => {
  let db: Database;
  let cookie: string;

  beforeAll(async () => {
    if (dbs.unavailable) return;
    await dbs.start();
    const t = await dbs.fresh();
    db = await openDatabase({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, log });
    const auth = new AuthService({ prisma: db.prisma, log, sessionTtlMs: 3_600_000, failureFloorMs: 0 });
    registerServices({
      auth,
      audit: new AuditService({ prisma: db.prisma, provider: db.provider }),
      worklist: () => readWorklist(db.prisma, 50),
      study: (uid: string) => readStudyDetail(db.prisma, uid),
    } as Partial<ServerServices> as ServerServices);
    await db.prisma.user.create({ data: { username: 'ana', role: 'clinician', passwordHash: await hashPassword(PASSWORD), mustChangePassword: false } });
    const r = await auth.login({ username: 'ana', password: PASSWORD });
    if (!r.ok) throw new Error('login failed');
    cookie = `ich_session=${r.token}`;
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await dbs.stop();
  });

  const headers = () => ({ host: 'triage.test', cookie });

  it.skipIf(dbs.unavailable)('escalated not-analysable and escalated low-score studies rank above a flagged high-score one, with the same rank in GET /api/worklist and GET /api/studies/:uid', async () => {
    // Recent arrivals: none has waited past the aging limit, so the tiers are what triage wrote.
    const at = (min: number) => new Date(Date.now() - (20 - min) * 60_000);
    const flagged = await createStudy(db.prisma, { outcome: 'flagged', flagged: true, anyProbability: 0.97, priorityTier: PRIORITY_TIERS.flagged, receivedAt: at(0) });
    const flagged2 = await createStudy(db.prisma, { outcome: 'flagged', flagged: true, anyProbability: 0.6, priorityTier: PRIORITY_TIERS.flagged, receivedAt: at(1) });
    const low = await createStudy(db.prisma, { anyProbability: 0.03, receivedAt: at(2) });
    const broken = await createStudy(db.prisma, { outcome: 'not_analysable', anyProbability: null, notAnalysableReason: 'SERIES_NOT_AXIAL', priorityTier: PRIORITY_TIERS.needsEyes, receivedAt: at(3) });
    await createStudy(db.prisma, { anyProbability: 0.2, receivedAt: at(4) });
    // An exact tie (tier, score, arrival): the id decides, in the list and in the single read alike.
    await createStudy(db.prisma, { anyProbability: 0.15, receivedAt: at(5) });
    await createStudy(db.prisma, { anyProbability: 0.15, receivedAt: at(5) });
    // Escalate both; then what rescoring, finalisation and the aging sweep write is overruled by the database.
    for (const s of [low, broken]) await db.prisma.study.update({ where: { id: s.id }, data: { escalatedAt: at(10) } });
    await db.prisma.study.update({ where: { id: low.id }, data: { priorityTier: PRIORITY_TIERS.flagged } });
    await db.prisma.study.updateMany({ where: { id: broken.id }, data: { priorityTier: PRIORITY_TIERS.needsEyes } });

    const res = await worklistRoute.GET(new Request('http://triage.test/api/worklist', { headers: headers() }));
    expect(res.status).toBe(200);
    const studies = ((await res.json()) as { studies: WorklistItem[] }).studies;
    const order = studies.map((s) => s.studyInstanceUid);
    // Escalated first (the scored one before the unscored one), then the flagged ones by score.
    expect(order.slice(0, 4)).toEqual([low.uid, broken.uid, flagged.uid, flagged2.uid]);
    expect(studies.map((s) => s.rank)).toEqual(studies.map((_, i) => i + 1));
    for (const row of studies) {
      const one = await studyRoute.GET(new Request(`http://triage.test/api/studies/${row.studyInstanceUid}`, { headers: headers() }), {
        params: Promise.resolve({ studyInstanceUid: row.studyInstanceUid }),
      });
      const detail = (await one.json()) as StudyDetail;
      expect([row.studyInstanceUid, detail.study.rank]).toEqual([row.studyInstanceUid, row.rank]);
      // The study page's "why it ranks #N" reads the same tier the list sorts by.
      expect(detail.priority.tier).toBe(row.priorityTier);
    }
    const brokenDetail = (await (await studyRoute.GET(new Request(`http://triage.test/api/studies/${broken.uid}`, { headers: headers() }), { params: Promise.resolve({ studyInstanceUid: broken.uid }) })).json()) as StudyDetail;
    expect(brokenDetail.priority.reasons[0]).toMatch(/^escalated by a clinician/);
    expect(brokenDetail.priority.reasons[1]).toMatch(/^not analysable/);
  });
});
