import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as login from '@/app/api/auth/login/route';
import * as logout from '@/app/api/auth/logout/route';
import * as me from '@/app/api/auth/me/route';
import * as password from '@/app/api/auth/password/route';
import * as tokenById from '@/app/api/auth/tokens/[id]/route';
import * as tokensRoute from '@/app/api/auth/tokens/route';
import * as users from '@/app/api/auth/users/route';
import * as userById from '@/app/api/auth/users/[id]/route';
import * as health from '@/app/api/health/route';
import * as operations from '@/app/api/operations/route';
import * as studyDetail from '@/app/api/studies/[studyInstanceUid]/route';
import * as sliceLocalization from '@/app/api/studies/[studyInstanceUid]/slices/[sopInstanceUid]/localization/route';
import * as sliceHu from '@/app/api/studies/[studyInstanceUid]/slices/[sopInstanceUid]/route';
import * as worklist from '@/app/api/worklist/route';
import * as auditRoute from '@/app/api/audit/route';
import * as studyActions from '@/app/api/studies/[studyInstanceUid]/actions/route';
import * as studyAudit from '@/app/api/studies/[studyInstanceUid]/audit/route';
import { AuditService } from '@/server/audit';
import { performStudyAction } from '@/server/triage/study-actions';
import * as stow from '@/app/dicomweb/studies/route';
import * as quarantineRoute from '@/app/api/quarantine/route';
import * as quarantineItem from '@/app/api/quarantine/[id]/route';
import * as quarantineFile from '@/app/api/quarantine/[id]/file/route';
import * as quarantineReingest from '@/app/api/quarantine/[id]/reingest/route';
import * as passwordReset from '@/app/api/auth/users/[id]/password-reset/route';
import * as priors from '@/app/api/studies/[studyInstanceUid]/priors/route';
import { DicomFileStore } from '@/server/files';
import { QuarantineAdmin } from '@/server/ingest/quarantine-admin';
import { QuarantineStore } from '@/server/ingest/quarantine-store';
import * as upload from '@/app/api/upload/route';
import { AppError } from '@/lib/errors';
import { SOCKET_PATH } from '@/lib/realtime-events';
import { openDatabase, type Database } from '@/server/db';
import { registerServices } from '@/server/http';
import { listQuarantine } from '@/server/ingest/quarantine-query';
import { UploadService } from '@/server/ingest/upload';
import { createLogger } from '@/server/logging';
import { readOperationsMetrics } from '@/server/operations/read-operations-metrics';
import { EventJournal, RealtimeHub } from '@/server/realtime';
import { AuthService } from './auth-service';
import { headersFromNode } from './node-headers';
import { hashPassword } from './password-hasher';
import { UserAdmin } from './user-admin';
import { ROLES, type Role } from '@/lib/roles';

const log = pino({ level: 'silent' });
const ORIGIN = 'http://triage.test';
const PASSWORD = 'a long enough test password';
const UID = '1.2.826.0.1.3680043.8.498.1';

type Credential = { cookie?: string; bearer?: string };

/** A request as a browser on our origin (or a service account) would send it. */
function request(path: string, method: string, cred: Credential, body?: BodyInit, headers: Record<string, string> = {}): Request {
  const h = new Headers({ host: 'triage.test', ...headers });
  if (cred.cookie) h.set('cookie', cred.cookie);
  if (cred.bearer) h.set('authorization', `Bearer ${cred.bearer}`);
  if (method !== 'GET' && !('origin' in headers)) h.set('origin', ORIGIN);
  return new Request(`${ORIGIN}${path}`, { method, headers: h, body });
}

/** One STOW-RS body with a single (non-DICOM) part: enough to reach the ingest path. */
function stowBody(): { body: string; contentType: string } {
  const boundary = 'matrix-boundary';
  const text = `--${boundary}\r\nContent-Type: application/dicom\r\n\r\nnot dicom\r\n--${boundary}--\r\n`;
  return { body: text, contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}

let created = 0;
const json = (value: unknown) => JSON.stringify(value);

/**
 * Every protected endpoint, how to call it, and which roles may. Public by design, so not here:
 * GET /api/health, POST /api/auth/login and /logout, and OIDC's GET /api/auth/oidc/start and
 * /callback (how a person without a session gets one; 404 when OIDC is off; tested in
 * server/auth/oidc/oidc-sign-in.test.ts).
 */
const ROUTES: { name: string; allowed: readonly Role[]; call: (cred: Credential) => Promise<Response> }[] = [
  { name: 'GET /api/worklist', allowed: ['clinician', 'radiologist', 'admin'], call: (c) => worklist.GET(request('/api/worklist', 'GET', c)) },
  {
    name: 'GET /api/studies/:uid',
    allowed: ['clinician', 'radiologist', 'admin'],
    call: (c) => studyDetail.GET(request(`/api/studies/${UID}`, 'GET', c), { params: Promise.resolve({ studyInstanceUid: UID }) }),
  },
  {
    name: 'POST /dicomweb/studies',
    allowed: ['integration', 'admin'],
    call: (c) => {
      const { body, contentType } = stowBody();
      return stow.POST(request('/dicomweb/studies', 'POST', c, body, { 'content-type': contentType }));
    },
  },
  { name: 'GET /api/operations', allowed: ['radiologist', 'admin'], call: (c) => operations.GET(request('/api/operations?window=1h', 'GET', c)) },
  { name: 'GET /api/auth/me', allowed: ROLES, call: (c) => me.GET(request('/api/auth/me', 'GET', c)) },
  { name: 'GET /api/auth/users', allowed: ['admin'], call: (c) => users.GET(request('/api/auth/users', 'GET', c)) },
  {
    name: 'POST /api/auth/users',
    allowed: ['admin'],
    call: (c) => users.POST(request('/api/auth/users', 'POST', c, json({ username: `made-${++created}`, role: 'clinician' }))),
  },
  { name: 'GET /api/auth/tokens', allowed: ['admin'], call: (c) => tokensRoute.GET(request('/api/auth/tokens', 'GET', c)) },
  {
    name: 'POST /api/auth/tokens',
    allowed: ['admin'],
    call: (c) => tokensRoute.POST(request('/api/auth/tokens', 'POST', c, json({ name: 'made', role: 'integration' }))),
  },
  {
    name: 'DELETE /api/auth/tokens/:id',
    allowed: ['admin'],
    call: (c) => tokenById.DELETE(request('/api/auth/tokens/none', 'DELETE', c), { params: Promise.resolve({ id: 'none' }) }),
  },
  {
    name: 'GET /api/studies/:uid/slices/:sop',
    allowed: ['clinician', 'radiologist', 'admin'],
    call: (c) => sliceHu.GET(request(`/api/studies/${UID}/slices/${UID}.1`, 'GET', c), { params: Promise.resolve({ studyInstanceUid: UID, sopInstanceUid: `${UID}.1` }) }),
  },
  {
    name: 'GET /api/studies/:uid/slices/:sop/localization',
    allowed: ['clinician', 'radiologist', 'admin'],
    call: (c) =>
      sliceLocalization.GET(request(`/api/studies/${UID}/slices/${UID}.1/localization`, 'GET', c), { params: Promise.resolve({ studyInstanceUid: UID, sopInstanceUid: `${UID}.1` }) }),
  },
  {
    name: 'POST /api/upload',
    allowed: ['integration', 'admin'],
    call: (c) => {
      const form = new FormData();
      form.append('files', new Blob(['not dicom']), 'x.dcm');
      return upload.POST(request('/api/upload', 'POST', c, form));
    },
  },
  { name: 'GET /api/quarantine', allowed: ['admin'], call: (c) => quarantineRoute.GET(request('/api/quarantine?limit=5', 'GET', c)) },
  { name: 'GET /api/quarantine/:id/file', allowed: ['admin'], call: (c) => quarantineFile.GET(request('/api/quarantine/none/file', 'GET', c), { params: Promise.resolve({ id: 'none' }) }) },
  { name: 'POST /api/quarantine/:id/reingest', allowed: ['admin'], call: (c) => quarantineReingest.POST(request('/api/quarantine/none/reingest', 'POST', c), { params: Promise.resolve({ id: 'none' }) }) },
  { name: 'DELETE /api/quarantine/:id', allowed: ['admin'], call: (c) => quarantineItem.DELETE(request('/api/quarantine/none', 'DELETE', c), { params: Promise.resolve({ id: 'none' }) }) },
  {
    name: 'POST /api/auth/users/:id/password-reset',
    allowed: ['admin'],
    call: (c) => passwordReset.POST(request('/api/auth/users/none/password-reset', 'POST', c), { params: Promise.resolve({ id: 'none' }) }),
  },
  {
    name: 'GET /api/studies/:uid/priors',
    allowed: ['clinician', 'radiologist', 'admin'],
    call: (c) => priors.GET(request(`/api/studies/${UID}/priors`, 'GET', c), { params: Promise.resolve({ studyInstanceUid: UID }) }),
  },
  {
    name: 'POST /api/studies/:uid/actions',
    allowed: ['clinician', 'radiologist', 'admin'],
    call: (c) => studyActions.POST(request(`/api/studies/${UID}/actions`, 'POST', c, json({ action: 'acknowledge' })), { params: Promise.resolve({ studyInstanceUid: UID }) }),
  },
  {
    name: 'GET /api/studies/:uid/audit',
    allowed: ['clinician', 'radiologist', 'admin'],
    call: (c) => studyAudit.GET(request(`/api/studies/${UID}/audit`, 'GET', c), { params: Promise.resolve({ studyInstanceUid: UID }) }),
  },
  { name: 'GET /api/audit', allowed: ['radiologist', 'admin'], call: (c) => auditRoute.GET(request('/api/audit?limit=5', 'GET', c)) },
  { name: 'GET /api/audit?format=csv', allowed: ['radiologist', 'admin'], call: (c) => auditRoute.GET(request('/api/audit?format=csv', 'GET', c)) },
  {
    name: 'PATCH /api/auth/users/:id',
    allowed: ['admin'],
    call: (c) => userById.PATCH(request('/api/auth/users/none', 'PATCH', c, json({ unlock: true })), { params: Promise.resolve({ id: 'none' }) }),
  },
];

describe('who may call what (role × route matrix, real route handlers, SQLite)', () => {
  let dir: string;
  let db: Database;
  let auth: AuthService;
  const sessions = {} as Record<'clinician' | 'radiologist' | 'admin', string>;
  const tokens = {} as Record<Role, string>;
  let pendingChange: string;
  const ingested: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ich-matrix-'));
    db = await openDatabase({ dataDir: dir, log });
    auth = new AuthService({ prisma: db.prisma, log, sessionTtlMs: 3_600_000, failureFloorMs: 0 });
    const audit = new AuditService({ prisma: db.prisma, provider: db.provider });
    registerServices({
      status: () => ({ version: '1.2.3', startedAt: '2026-11-23T00:00:00.000Z', model: { name: 'm', version: '1', provider: 'cpu' } }),
      worklist: async () => [],
      study: async () => undefined,
      studyExists: async () => false,
      ingest: async (_bytes, source) => {
        ingested.push(source.sender);
        return { status: 'stored', studyInstanceUid: UID, seriesInstanceUid: `${UID}.9`, sopInstanceUid: `${UID}.1`, sopClassUid: '1.2.840.10008.5.1.4.1.1.2' };
      },
      auth,
      userAdmin: new UserAdmin(db.prisma, log, audit.log),
      upload: new UploadService({
        limits: { maxRequestBytes: 1 << 20, maxFiles: 10, maxUncompressedBytes: 1 << 20, maxCompressionRatio: 100 },
        ingest: async () => ({ status: 'stored', studyInstanceUid: UID, seriesInstanceUid: `${UID}.9`, sopInstanceUid: `${UID}.2`, sopClassUid: undefined }),
        log,
      }).receive,
      quarantine: (query) => listQuarantine(db.prisma, query),
      quarantineAdmin: new QuarantineAdmin({
        prisma: db.prisma,
        audit: audit.log,
        quarantine: new QuarantineStore(join(dir, 'quarantine')),
        files: new DicomFileStore(join(dir, 'dicom')),
        record: async () => {},
        log,
      }),
      priors: async () => undefined,
      operations: (window) => readOperationsMetrics(db.prisma, window),
      viewer: {
        slice: async () => {
          throw new AppError('NOT_FOUND', 'no such slice in this study');
        },
        localization: async () => {
          throw new AppError('NOT_FOUND', 'no such slice in this study');
        },
      },
      audit,
      actOnStudy: (uid, req, actor) => performStudyAction(audit.log, uid, req, actor),
      notifyStudyChanged: () => {},
    });
    const passwordHash = await hashPassword(PASSWORD);
    for (const role of ['clinician', 'radiologist', 'admin'] as const) {
      await db.prisma.user.create({ data: { username: role, role, passwordHash, mustChangePassword: false } });
      const r = await auth.login({ username: role, password: PASSWORD });
      if (!r.ok) throw new Error('login failed');
      sessions[role] = `ich_session=${r.token}`;
    }
    await db.prisma.user.create({ data: { username: 'newadmin', role: 'admin', passwordHash, mustChangePassword: true } });
    const r = await auth.login({ username: 'newadmin', password: PASSWORD });
    if (!r.ok) throw new Error('login failed');
    pendingChange = `ich_session=${r.token}`;
    for (const role of ROLES) tokens[role] = (await auth.createApiToken({ name: `svc-${role}`, role })).token;
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const route of ROUTES) {
    describe(route.name, () => {
      it('answers 401 without credentials, with a forged cookie and with an unknown token', async () => {
        for (const cred of [{}, { cookie: 'ich_session=forged' }, { bearer: 'x'.repeat(43) }]) {
          const res = await route.call(cred);
          expect(res.status, JSON.stringify(cred)).toBe(401);
          expect(await res.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
        }
      });

      for (const role of ROLES) {
        const expected = route.allowed.includes(role) ? [200, 201, 204, 404] : [403];
        if (role !== 'integration') {
          it(`session of a ${role}: ${route.allowed.includes(role) ? 'allowed' : '403'}`, async () => {
            const res = await route.call({ cookie: sessions[role as 'clinician'] });
            expect(expected, `${route.name} as ${role}: ${res.status}`).toContain(res.status);
          });
        }
        it(`bearer token of a ${role}: ${route.allowed.includes(role) ? 'allowed' : '403'}`, async () => {
          const res = await route.call({ bearer: tokens[role] });
          expect(expected, `${route.name} as ${role} token: ${res.status}`).toContain(res.status);
        });
      }
    });
  }

  it('a found study detail or a stored STOW instance is a 200 (not merely "not refused")', async () => {
    const res = await ROUTES[2]!.call({ bearer: tokens.integration });
    expect(res.status).toBe(200);
    expect(ingested.length).toBeGreaterThan(0);
    const wl = await ROUTES[0]!.call({ cookie: sessions.clinician });
    expect(await wl.json()).toEqual({ studies: [] });
  });

  it('a user with a pending password change may only see who they are, change it and sign out', async () => {
    for (const route of ROUTES.filter((r) => r.name !== 'GET /api/auth/me')) {
      const res = await route.call({ cookie: pendingChange });
      expect(res.status, route.name).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'PASSWORD_CHANGE_REQUIRED' } });
    }
    const who = await me.GET(request('/api/auth/me', 'GET', { cookie: pendingChange }));
    expect(await who.json()).toEqual({ user: { kind: 'user', name: 'newadmin', role: 'admin', mustChangePassword: true } });
  });

  it('refuses a cookie-authenticated state-changing request from another origin or without one (CSRF)', async () => {
    const { body, contentType } = stowBody();
    for (const origin of ['https://evil.example', '']) {
      const headers: Record<string, string> = { 'content-type': contentType, origin };
      const res = await stow.POST(request('/dicomweb/studies', 'POST', { cookie: sessions.admin }, body, headers));
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'FORBIDDEN', message: 'cross-origin request refused' } });
    }
    // A bearer token is not ambient authority: no origin needed.
    const res = await stow.POST(request('/dicomweb/studies', 'POST', { bearer: tokens.integration }, body, { 'content-type': contentType, origin: '' }));
    expect(res.status).toBe(200);
  });

  it('an admin creates a user (one-time password, forced change) and a token, lists both without secrets, and revokes the token', async () => {
    const res = await users.POST(request('/api/auth/users', 'POST', { cookie: sessions.admin }, json({ username: 'Nurse.Joy', role: 'radiologist' })));
    expect(res.status).toBe(201);
    const { user } = (await res.json()) as { user: { username: string; oneTimePassword: string } };
    expect(user.username).toBe('nurse.joy');
    expect(await auth.login({ username: 'nurse.joy', password: user.oneTimePassword })).toMatchObject({ ok: true, principal: { role: 'radiologist', mustChangePassword: true } });
    expect((await users.POST(request('/api/auth/users', 'POST', { cookie: sessions.admin }, json({ username: 'nurse.joy', role: 'admin' })))).status).toBe(422);
    expect((await users.POST(request('/api/auth/users', 'POST', { cookie: sessions.admin }, json({ username: 'x', role: 'integration' })))).status).toBe(422);
    const list = await (await users.GET(request('/api/auth/users', 'GET', { cookie: sessions.admin }))).text();
    expect(list).toContain('nurse.joy');
    expect(list).not.toMatch(/argon2|passwordHash/);

    const made = (await (await tokensRoute.POST(request('/api/auth/tokens', 'POST', { cookie: sessions.admin }, json({ name: 'modality', role: 'integration', expiresInDays: 30 })))).json()) as { id: string; token: string };
    const { body, contentType } = stowBody();
    const send = () => stow.POST(request('/dicomweb/studies', 'POST', { bearer: made.token }, body, { 'content-type': contentType }));
    expect((await send()).status).toBe(200);
    const tokenList = await (await tokensRoute.GET(request('/api/auth/tokens', 'GET', { cookie: sessions.admin }))).text();
    expect(tokenList).toContain('modality');
    expect(tokenList).not.toContain(made.token);
    expect(tokenList).not.toContain('tokenHash');
    expect((await tokenById.DELETE(request(`/api/auth/tokens/${made.id}`, 'DELETE', { cookie: sessions.admin }), { params: Promise.resolve({ id: made.id }) })).status).toBe(204);
    expect((await send()).status).toBe(401);
  });

  it('health stays public and tells nothing sensitive', async () => {
    const res = await health.GET(new Request('http://localhost/api/health'));
    expect(res.status).toBe(200);
    expect(Object.keys((await res.json()) as object).sort()).toEqual(['model', 'startedAt', 'status', 'version']);
  });

  it('signs in over the JSON API with a Strict HttpOnly cookie, then out again, revoking the session', async () => {
    const bad = await login.POST(request('/api/auth/login', 'POST', {}, JSON.stringify({ username: 'clinician', password: 'wrong password' })));
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'invalid username or password' } });
    const foreign = await login.POST(request('/api/auth/login', 'POST', {}, JSON.stringify({ username: 'clinician', password: PASSWORD }), { origin: 'https://evil.example' }));
    expect(foreign.status).toBe(403);

    const ok = await login.POST(request('/api/auth/login', 'POST', {}, JSON.stringify({ username: 'clinician', password: PASSWORD })));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ user: { kind: 'user', name: 'clinician', role: 'clinician', mustChangePassword: false } });
    const setCookie = ok.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^ich_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const cookie = setCookie.split(';')[0]!;
    expect((await worklist.GET(request('/api/worklist', 'GET', { cookie }))).status).toBe(200);

    const out = await logout.POST(request('/api/auth/logout', 'POST', { cookie }));
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await worklist.GET(request('/api/worklist', 'GET', { cookie }))).status).toBe(401);
  });

  it('changes the password over the API, which lifts the restriction', async () => {
    const change = (currentPassword: string, newPassword: string) =>
      password.POST(request('/api/auth/password', 'POST', { cookie: pendingChange }, JSON.stringify({ currentPassword, newPassword })));
    expect((await change('wrong one', 'a brand new passphrase')).status).toBe(403);
    expect((await change(PASSWORD, 'short')).status).toBe(422);
    expect((await change(PASSWORD, 'a brand new passphrase')).status).toBe(204);
    expect((await worklist.GET(request('/api/worklist', 'GET', { cookie: pendingChange }))).status).toBe(200);
    expect((await password.POST(request('/api/auth/password', 'POST', { bearer: tokens.admin }, '{}'))).status).toBe(403);
  });

  describe('Socket.IO', () => {
    let server: Server;
    let hub: RealtimeHub;
    let url: string;

    beforeAll(async () => {
      server = createServer();
      hub = new RealtimeHub(
        server,
        {
          heartbeatIntervalMs: 1000,
          status: () => ({ version: '1.2.3', startedAt: '', model: null }),
          authenticate: (h) => auth.authenticateSocket(headersFromNode(h.headers)),
          journal: new EventJournal(db.prisma, db.provider),
        },
        createLogger('silent'),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => hub.stop());

    /** Connects over WebSocket with the given headers; resolves 'connected' or the refusal message. */
    function attempt(extraHeaders: Record<string, string>): Promise<string> {
      const socket: Socket = connect(url, { path: SOCKET_PATH, transports: ['websocket'], extraHeaders, reconnection: false });
      return new Promise<string>((resolve) => {
        socket.on('connect', () => resolve('connected'));
        socket.on('connect_error', (err) => resolve(err.message));
      }).finally(() => socket.close());
    }

    it('refuses a connection without a session, with a forged one, a bearer token or a pending password change', async () => {
      expect(await attempt({})).toBe('UNAUTHENTICATED');
      expect(await attempt({ cookie: 'ich_session=forged' })).toBe('UNAUTHENTICATED');
      expect(await attempt({ authorization: `Bearer ${tokens.admin}` })).toBe('UNAUTHENTICATED');
      const r = await auth.login({ username: 'radiologist', password: PASSWORD });
      if (!r.ok) throw new Error('login failed');
      await db.prisma.user.update({ where: { username: 'radiologist' }, data: { mustChangePassword: true } });
      expect(await attempt({ cookie: `ich_session=${r.token}` })).toBe('UNAUTHENTICATED');
    });

    it('accepts a valid session, and refuses it from a foreign origin', async () => {
      expect(await attempt({ cookie: sessions.clinician })).toBe('connected');
      expect(await attempt({ cookie: sessions.clinician, origin: 'https://evil.example' })).toBe('UNAUTHENTICATED');
    });
  });
});
