import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Events, OAuth2Issuer, OAuth2Server } from 'oauth2-mock-server';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as callback from '@/app/api/auth/oidc/callback/route';
import * as start from '@/app/api/auth/oidc/start/route';
import { AuditService } from '@/server/audit/audit-service';
import { openDatabase, type Database } from '@/server/db';
import { registerServices, type ServerServices } from '@/server/http/service-registry';
import { AuthService } from '@/server/auth/auth-service';
import { hashPassword } from '@/server/auth/password-hasher';
import { OidcSignIn } from './oidc-sign-in';
import { parseRoleMap } from './role-map';

// A real OAuth2/OIDC server (oauth2-mock-server: discovery, JWKS, /authorize with PKCE, /token
// signing real RS256 ID tokens) in-process; our real route handlers; a real SQLite database. The
// browser is played by hand: follow start's redirect to /authorize, take the code it redirects
// back with, and bring the sign-in cookie to the callback.

const ORIGIN = 'http://triage.test';
const CLIENT_ID = 'ich-triage';
const SECRET = 'a-client-secret-for-tests';
const log = pino({ level: 'silent' });

type Claims = Record<string, unknown>;

describe('OIDC single sign-on (oauth2-mock-server, real route handlers, SQLite)', () => {
  let idp: OAuth2Server;
  let dir: string;
  let db: Database;
  let auth: AuthService;
  let oidc: OidcSignIn;
  let audit: AuditService;
  /** Claims the IdP puts in the next tokens it signs. */
  let claims: Claims;
  const logged: { msg: string; obj: Record<string, unknown> }[] = [];
  const capture = pino({ level: 'info' }, { write: (line: string) => void logged.push({ msg: JSON.parse(line).msg as string, obj: JSON.parse(line) as Record<string, unknown> }) });

  function makeOidc(issuer: string): OidcSignIn {
    return new OidcSignIn({
      issuer: new URL(issuer),
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      redirectUri: undefined,
      roleClaims: ['groups', 'roles'],
      roleMap: parseRoleMap('ich-radiologists:radiologist,ich-ed:clinician,ich-admins:admin'),
      label: 'Hospital sign-in',
      prisma: db.prisma,
      auth,
      log: capture,
      timeoutS: 2,
    });
  }

  /** Services for the route handlers: only what these routes use (the rest is never called here). */
  function register(services: Partial<ServerServices>) {
    registerServices(services as ServerServices);
  }

  beforeAll(async () => {
    idp = new OAuth2Server();
    await idp.issuer.keys.generate('RS256');
    await idp.start(0, '127.0.0.1');
    idp.service.on(Events.BeforeTokenSigning, (token) => Object.assign(token.payload, claims));
    dir = mkdtempSync(join(tmpdir(), 'ich-oidc-'));
    db = await openDatabase({ dataDir: dir, log });
    auth = new AuthService({ prisma: db.prisma, log, sessionTtlMs: 3_600_000, failureFloorMs: 0 });
    oidc = makeOidc(idp.issuer.url!);
    audit = new AuditService({ prisma: db.prisma, provider: db.provider });
    register({ auth, oidc, audit });
  });
  afterEach(() => {
    claims = {};
    register({ auth, oidc, audit });
  });
  afterAll(async () => {
    await idp.stop();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** GET /api/auth/oidc/start (with `?next=` when given) → the IdP's authorization URL and the sign-in attempt cookie. */
  async function begin(next?: string): Promise<{ authorize: URL; cookie: string }> {
    const query = next === undefined ? '' : `?next=${encodeURIComponent(next)}`;
    const res = await start.GET(new Request(`${ORIGIN}/api/auth/oidc/start${query}`, { headers: { host: 'triage.test' } }));
    expect(res.status).toBe(302);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^ich_oidc=[A-Za-z0-9_-]+; Path=\/api\/auth\/oidc; HttpOnly; SameSite=Lax; Max-Age=600$/);
    return { authorize: new URL(res.headers.get('location')!), cookie: setCookie.split(';')[0]! };
  }

  /** The IdP signs the person in and redirects back: the callback URL with code and state. */
  async function authorize(url: URL): Promise<URL> {
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!);
  }

  async function finish(url: URL, cookie: string): Promise<Response> {
    return callback.GET(new Request(url, { headers: { host: 'triage.test', cookie } }));
  }

  /** One whole sign-in; the callback's response. */
  async function signIn(as: Claims, next?: string): Promise<Response> {
    claims = as;
    const { authorize: url, cookie } = await begin(next);
    return finish(await authorize(url), cookie);
  }

  function sessionToken(res: Response): string | undefined {
    return /ich_session=([A-Za-z0-9_-]{43})/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  }

  it('sends the browser to the IdP with PKCE (S256), state, nonce and our callback', async () => {
    const { authorize: url } = await begin();
    expect(url.origin + url.pathname).toBe(`${idp.issuer.url}/authorize`);
    const q = url.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe(CLIENT_ID);
    expect(q.get('redirect_uri')).toBe(`${ORIGIN}/api/auth/oidc/callback`);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(q.get('scope')).toBe('openid profile email');
  });

  it('a full code flow ends in a session cookie with the mapped role, for a new account without a usable password', async () => {
    const res = await signIn({ sub: 'f3a9-0001', preferred_username: 'Dr.House', groups: ['staff', 'ich-radiologists'] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('url=/');
    expect(res.headers.get('set-cookie')).toMatch(/ich_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict/);
    expect(res.headers.get('set-cookie')).toMatch(/ich_oidc=; Path=\/api\/auth\/oidc; HttpOnly; SameSite=Lax; Max-Age=0/);
    const principal = await auth.authenticateSession(sessionToken(res));
    expect(principal).toMatchObject({ kind: 'user', username: 'dr.house', role: 'radiologist', mustChangePassword: false });
    const user = await db.prisma.user.findUniqueOrThrow({ where: { username: 'dr.house' } });
    expect(user.passwordHash).toMatch(/^!external:oidc:[0-9a-f]{64}:/);
    expect(user.lastLoginAt).not.toBeNull();
    // No password signs in to it, not even the marker itself.
    expect((await auth.login({ username: 'dr.house', password: user.passwordHash })).ok).toBe(false);
    // Nothing that could identify the person went to the log.
    expect(JSON.stringify(logged)).not.toMatch(/house|f3a9/i);
    // The sign-in is in the audit journal like a password sign-in, marked as single sign-on.
    const entry = await db.prisma.auditEvent.findFirstOrThrow({ where: { actorUserId: user.id } });
    expect(entry).toMatchObject({ action: 'auth.signed_in', actorUsername: 'dr.house' });
    expect(JSON.parse(entry.details)).toMatchObject({ via: 'oidc', sessionId: principal?.sessionId });
  });

  it('returns to the page asked for (`next`), carried sealed in the attempt cookie, never shown to the IdP', async () => {
    const deepLink = '/studies/1.2.826.0.1.3680043.8.498.77?slice=1.2.826.0.1.3680043.8.498.77.3';
    claims = { sub: 'sub-0020', preferred_username: 'dr.quinn', groups: ['ich-ed'] };
    const { authorize: url, cookie } = await begin(deepLink);
    // The IdP sees a random state, not where the person is going (a study UID is not its business).
    expect(url.href).not.toContain('studies');
    expect(url.href).not.toContain('3680043');
    const res = await finish(await authorize(url), cookie);
    expect(res.status).toBe(200);
    expect(sessionToken(res)).toBeDefined();
    const page = await res.text();
    expect(page).toContain(`content="0;url=${deepLink}"`);
    expect(page).toContain(`href="${deepLink}"`);
    expect(page).not.toContain('url=/"');
  });

  it('an SSO refusal goes back to the login page still carrying `next`, so a password sign-in returns there too', async () => {
    const res = await signIn({ sub: 'sub-0021', preferred_username: 'visitor2', groups: ['staff'] }, '/audit?action=auth.signed_in');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/login?oidc=no_role&next=${encodeURIComponent('/audit?action=auth.signed_in')}`);
  });

  for (const evil of ['//evil.example', 'https://evil.example/x', '/\\evil.example', 'javascript:alert(1)', '/login?next=//evil.example']) {
    it(`refuses an open redirect through SSO (${evil}): the worklist instead`, async () => {
      const res = await signIn({ sub: 'sub-0022', preferred_username: 'dr.quinn2', groups: ['ich-ed'] }, evil);
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain('content="0;url=/"');
      expect(page).not.toContain('evil');
    });
  }

  it('escapes a return path\'s quotes and brackets in the continue page', async () => {
    const res = await signIn({ sub: 'sub-0023', preferred_username: 'dr.quinn3', groups: ['ich-ed'] }, `/audit?q="><script>alert(1)</script>&x='`);
    const page = await res.text();
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('content="0;url=/audit?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E&#38;x=%27"');
  });

  it('the role follows the IdP at each sign-in, for the same account; the most privileged mapped group wins', async () => {
    const first = await signIn({ sub: 'sub-0002', preferred_username: 'nurse.ratched', roles: 'ich-ed' });
    expect(await auth.authenticateSession(sessionToken(first))).toMatchObject({ role: 'clinician' });
    const again = await signIn({ sub: 'sub-0002', preferred_username: 'renamed', groups: ['ich-ed', 'ich-admins'] });
    expect(await auth.authenticateSession(sessionToken(again))).toMatchObject({ username: 'nurse.ratched', role: 'admin' });
    expect(await db.prisma.user.count({ where: { username: { in: ['nurse.ratched', 'renamed'] } } })).toBe(1);
  });

  it('refuses a user with no mapped role, creating no account', async () => {
    const res = await signIn({ sub: 'sub-0003', preferred_username: 'visitor', groups: ['staff', 'ich-radiologists-typo'] });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?oidc=no_role');
    expect(sessionToken(res)).toBeUndefined();
    expect(await db.prisma.user.findUnique({ where: { username: 'visitor' } })).toBeNull();
    const withoutClaim = await signIn({ sub: 'sub-0004', preferred_username: 'visitor' });
    expect(withoutClaim.headers.get('location')).toBe('/login?oidc=no_role');
  });

  it('refuses a wrong state, a missing or altered attempt cookie, and another browser\'s attempt cookie', async () => {
    claims = { sub: 'sub-0005', preferred_username: 'eve', groups: ['ich-admins'] };
    const { authorize: url, cookie } = await begin();
    const back = await authorize(url);
    const wrongState = new URL(back);
    wrongState.searchParams.set('state', 'attacker-chosen-state-value');
    for (const [u, c] of [
      [wrongState, cookie],
      [back, ''],
      [back, `${cookie.slice(0, -4)}AAAA`],
    ] as const) {
      const res = await finish(u, c);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login?oidc=refused');
      expect(sessionToken(res)).toBeUndefined();
    }
    // Another browser's valid attempt cookie does not fit this answer either.
    const other = await begin();
    expect((await finish(back, other.cookie)).headers.get('location')).toBe('/login?oidc=refused');
    expect(await db.prisma.user.findUnique({ where: { username: 'eve' } })).toBeNull();
  });

  it('refuses an expired ID token', async () => {
    // The ID token only (the access token is signed first and is not ours to check).
    const expire = (token: { payload: Record<string, unknown> }) => {
      if (token.payload.aud !== CLIENT_ID) return;
      token.payload.iat = Math.floor(Date.now() / 1000) - 7200;
      token.payload.exp = Math.floor(Date.now() / 1000) - 3600;
    };
    idp.service.on(Events.BeforeTokenSigning, expire);
    const res = await signIn({ sub: 'sub-0006', preferred_username: 'late', groups: ['ich-admins'] }).finally(() => idp.service.off(Events.BeforeTokenSigning, expire));
    expect(res.headers.get('location')).toBe('/login?oidc=refused');
    expect(logged.at(-1)?.obj.error).toMatch(/^OAUTH_JWT_TIMESTAMP_CHECK_FAILED/);
  });

  it('refuses an ID token whose claims were altered, and one signed by another key', async () => {
    // Altered: the IdP issued a clinician token; the groups are rewritten to admin, signature kept.
    idp.service.once(Events.BeforeResponse, (response) => {
      const body = response.body as { id_token: string };
      const [header, payload, signature] = body.id_token.split('.') as [string, string, string];
      const forged = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), groups: ['ich-admins'] };
      body.id_token = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    });
    const altered = await signIn({ sub: 'sub-0007', preferred_username: 'mallory', groups: ['ich-ed'] });
    expect(altered.headers.get('location')).toBe('/login?oidc=refused');

    // Signed with a key the IdP does not publish, under the IdP's own key id.
    const forger = new OAuth2Issuer();
    forger.url = idp.issuer.url;
    const realKid = (idp.issuer.keys.toJSON()[0] as { kid: string }).kid;
    await forger.keys.generate('RS256', { kid: realKid });
    claims = { sub: 'sub-0008', preferred_username: 'mallory', groups: ['ich-admins'] };
    const { authorize: url, cookie } = await begin();
    const nonce = url.searchParams.get('nonce')!;
    const forgedToken = await forger.buildToken({ scopesOrTransform: (_h, p) => Object.assign(p, claims, { aud: CLIENT_ID, nonce }) });
    idp.service.once(Events.BeforeResponse, (response) => {
      (response.body as { id_token: string }).id_token = forgedToken;
    });
    const res = await finish(await authorize(url), cookie);
    expect(res.headers.get('location')).toBe('/login?oidc=refused');
    expect(await db.prisma.user.findUnique({ where: { username: 'mallory' } })).toBeNull();
  });

  it('never takes over a password account with the same username, and refuses a disabled SSO account', async () => {
    const passwordHash = await hashPassword('a long enough test password');
    await db.prisma.user.create({ data: { username: 'admin', role: 'admin', passwordHash, mustChangePassword: false } });
    const res = await signIn({ sub: 'sub-0009', preferred_username: 'admin', groups: ['ich-ed'] });
    expect(res.headers.get('location')).toBe('/login?oidc=conflict');
    expect(await db.prisma.user.findUniqueOrThrow({ where: { username: 'admin' } })).toMatchObject({ role: 'admin', passwordHash });

    const ok = await signIn({ sub: 'sub-0010', preferred_username: 'leaver', groups: ['ich-ed'] });
    expect(sessionToken(ok)).toBeDefined();
    await db.prisma.user.update({ where: { username: 'leaver' }, data: { disabledAt: new Date() } });
    const refused = await signIn({ sub: 'sub-0010', preferred_username: 'leaver', groups: ['ich-ed'] });
    expect(refused.headers.get('location')).toBe('/login?oidc=disabled');
  });

  it('an unreachable IdP is logged and sends the person back to the login page; nothing throws', async () => {
    const dead = makeOidc('http://127.0.0.1:9/');
    register({ auth, oidc: dead });
    const res = await start.GET(new Request(`${ORIGIN}/api/auth/oidc/start`, { headers: { host: 'triage.test' } }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?oidc=unavailable');
    expect(logged.some((l) => l.msg.startsWith('OIDC issuer unreachable') && l.obj.level === 50)).toBe(true);
  });

  it('answers 404 on both routes when OIDC is not configured', async () => {
    register({ auth });
    const startRes = await start.GET(new Request(`${ORIGIN}/api/auth/oidc/start`));
    const callbackRes = await callback.GET(new Request(`${ORIGIN}/api/auth/oidc/callback?code=x&state=y`));
    for (const res of [startRes, callbackRes]) {
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'single sign-on is not configured' } });
    }
  });
});
