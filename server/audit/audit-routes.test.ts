import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as auditRoute from '@/app/api/audit/route';
import * as login from '@/app/api/auth/login/route';
import * as logout from '@/app/api/auth/logout/route';
import * as studyActions from '@/app/api/studies/[studyInstanceUid]/actions/route';
import * as studyAudit from '@/app/api/studies/[studyInstanceUid]/audit/route';
import * as studyDetail from '@/app/api/studies/[studyInstanceUid]/route';
import type { AuditEntry, AuditPage } from '@/lib/audit';
import { AuthService } from '@/server/auth/auth-service';
import { hashPassword } from '@/server/auth/password-hasher';
import { openDatabase, type Database } from '@/server/db';
import { registerServices } from '@/server/http';
import { readStudyDetail } from '@/server/triage/study-query';
import { performStudyAction } from '@/server/triage/study-actions';
import { AuditService } from './audit-service';
import { verifyAuditChain } from './verify-audit-chain';

const log = pino({ level: 'silent' });
const ORIGIN = 'http://triage.test';
const PASSWORD = 'a long enough test password';
const UID = '1.2.826.0.1.3680043.8.498.42';

/** A browser request on our origin from `ip` (as Next's server fills X-Forwarded-For). */
function request(path: string, method: string, cookie?: string, body?: unknown, ip = '192.168.7.21'): Request {
  const headers = new Headers({ host: 'triage.test', 'x-forwarded-for': ip });
  if (cookie) headers.set('cookie', cookie);
  if (method !== 'GET') headers.set('origin', ORIGIN);
  return new Request(`${ORIGIN}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}
const params = (studyInstanceUid: string) => ({ params: Promise.resolve({ studyInstanceUid }) });
const act = (cookie: string, body: unknown, uid = UID) => studyActions.POST(request(`/api/studies/${uid}/actions`, 'POST', cookie, body), params(uid));
const global = async (cookie: string, query: string) => (await (await auditRoute.GET(request(`/api/audit?${query}`, 'GET', cookie))).json()) as AuditPage;

describe('audit journal through the real route handlers (SQLite)', () => {
  let dir: string;
  let db: Database;
  let auth: AuthService;
  let clinician: string;
  let radiologist: string;
  const notified: string[] = [];

  async function signIn(username: string): Promise<string> {
    const res = await login.POST(request('/api/auth/login', 'POST', undefined, { username, password: PASSWORD }));
    expect(res.status).toBe(200);
    return res.headers.get('set-cookie')!.split(';')[0]!;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ich-audit-routes-'));
    db = await openDatabase({ dataDir: dir, log });
    auth = new AuthService({ prisma: db.prisma, log, sessionTtlMs: 3_600_000, failureFloorMs: 0 });
    const audit = new AuditService({ prisma: db.prisma, provider: db.provider });
    const unused = async () => {
      throw new Error('not used');
    };
    registerServices({
      status: () => ({ version: 't', startedAt: '', model: null }),
      worklist: async () => [],
      study: (uid) => readStudyDetail(db.prisma, uid),
      studyExists: async (uid) => (await readStudyDetail(db.prisma, uid)) !== undefined,
      ingest: unused,
      upload: unused,
      quarantine: unused,
      operations: unused,
      viewer: { slice: unused, localization: unused },
      auth,
      audit,
      actOnStudy: (uid, req, actor) => performStudyAction(audit.log, uid, req, actor),
      notifyStudyChanged: (id) => void notified.push(id),
    });
    const passwordHash = await hashPassword(PASSWORD);
    await db.prisma.user.create({ data: { username: 'ana', role: 'clinician', passwordHash, mustChangePassword: false } });
    await db.prisma.user.create({ data: { username: 'rad', role: 'radiologist', passwordHash, mustChangePassword: false } });
    await db.prisma.study.create({ data: { StudyInstanceUID: UID, PatientName: 'Doe^Jane', PatientID: 'PID-998877', status: 'triaged', outcome: 'flagged', flagged: true, anyProbability: 0.93 } });
    clinician = await signIn('ana');
    radiologist = await signIn('rad');
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records sign-in, failed sign-in and sign-out with who and from where', async () => {
    const bad = await login.POST(request('/api/auth/login', 'POST', undefined, { username: '@Mallory', password: 'wrong password!' }, '203.0.113.9'));
    expect(bad.status).toBe(401);
    const cookie = await signIn('ana');
    expect((await logout.POST(request('/api/auth/logout', 'POST', cookie))).status).toBe(204);
    const rows = await db.prisma.auditEvent.findMany({ where: { action: { startsWith: 'auth.' } }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => [r.action, r.actorUsername, r.ip])).toEqual([
      ['auth.signed_in', 'ana', '192.168.7.21'],
      ['auth.signed_in', 'rad', '192.168.7.21'],
      ['auth.sign_in_failed', '@mallory', '203.0.113.9'],
      ['auth.signed_in', 'ana', '192.168.7.21'],
      ['auth.signed_out', 'ana', '192.168.7.21'],
    ]);
    expect(rows.every((r) => !r.details.includes('wrong password'))).toBe(true);
  });

  it('records who opened which study, once per view window, with no patient identifiers', async () => {
    for (let i = 0; i < 3; i++) expect((await studyDetail.GET(request(`/api/studies/${UID}`, 'GET', clinician), params(UID))).status).toBe(200);
    const views = await db.prisma.auditEvent.findMany({ where: { action: 'study.viewed' } });
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ actorUsername: 'ana', targetType: 'study', targetId: UID, ip: '192.168.7.21' });
    const journal = JSON.stringify(await db.prisma.auditEvent.findMany());
    expect(journal).not.toMatch(/Doe|Jane|PID-998877/);
  });

  it('performs actions with 200 / 404 / 409 / 422 and pushes the change to dashboards', async () => {
    const ok = await act(clinician, { action: 'acknowledge' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ action: 'acknowledge', status: 'in_review' });
    const study = await db.prisma.study.findUniqueOrThrow({ where: { StudyInstanceUID: UID } });
    expect(notified).toEqual([study.id]);
    expect((await act(clinician, { action: 'acknowledge' })).status).toBe(409);
    expect((await act(clinician, { action: 'acknowledge' }, '1.2.3.4')).status).toBe(404);
    expect((await act(clinician, { action: 'disagree' })).status).toBe(422);
    expect((await act(clinician, { action: 'launch' })).status).toBe(422);
    expect((await act(clinician, { action: 'agree', extra: 1 })).status).toBe(422);
    expect((await act(clinician, { action: 'acknowledge' }, '../not-a-uid')).status).toBe(422);
    // Formula-looking text, to prove the CSV export below defuses it.
    expect((await act(radiologist, { action: 'disagree', comment: '=HYPERLINK("http://x","old infarct")' })).status).toBe(200);
    expect(notified).toHaveLength(2);
  });

  it('shows the study timeline oldest first, with the comment beside its entry', async () => {
    const res = await studyAudit.GET(request(`/api/studies/${UID}/audit`, 'GET', clinician), params(UID));
    const { entries } = (await res.json()) as { entries: AuditEntry[] };
    expect(entries.map((e) => [e.action, e.actorUsername])).toEqual([
      ['study.viewed', 'ana'],
      ['study.acknowledged', 'ana'],
      ['study.feedback', 'rad'],
    ]);
    expect(entries[2]).toMatchObject({ details: { verdict: 'disagree', flagged: true }, note: '=HYPERLINK("http://x","old infarct")', ip: '192.168.7.21' });
  });

  it('filters and pages the global journal', async () => {
    const all = await global(radiologist, 'limit=200');
    expect(all.entries.map((e) => e.seq)).toEqual([...all.entries.map((e) => e.seq)].sort((a, b) => b - a));
    expect((await global(radiologist, 'user=ANA')).entries.every((e) => e.actorUsername === 'ana')).toBe(true);
    expect((await global(radiologist, 'action=study.feedback')).entries).toHaveLength(1);
    expect((await global(radiologist, `study=${UID}`)).entries).toHaveLength(3);
    expect((await global(radiologist, 'from=2000-01-01&to=2000-01-02')).entries).toHaveLength(0);
    const today = new Date().toISOString().slice(0, 10);
    expect((await global(radiologist, `from=${today}&to=${today}`)).entries).toHaveLength(all.entries.length);
    const seen: number[] = [];
    let cursor: number | null = null;
    do {
      const page: AuditPage = await global(radiologist, `limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.entries.map((e) => e.seq));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(all.entries.map((e) => e.seq));
    const bad = await auditRoute.GET(request('/api/audit?from=yesterday', 'GET', radiologist));
    expect(bad.status).toBe(422);
    expect((await auditRoute.GET(request('/api/audit', 'GET', clinician))).status).toBe(403);
  });

  it('exports CSV with a fixed file name and formula-safe cells', async () => {
    const res = await auditRoute.GET(request(`/api/audit?format=csv&study=${UID}`, 'GET', radiologist));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-\d{8}-\d{6}\.csv"$/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('seq,at,actorUsername,actorUserId,ip,action,targetType,targetId,details,note');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://x"",""old infarct"")"`);
    const failed = await (await auditRoute.GET(request('/api/audit?format=csv&action=auth.sign_in_failed', 'GET', radiologist))).text();
    expect(failed).toContain(`"'@mallory"`);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: true });
  });
});
