import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/server/db';
import { AuthService, LOGIN_FAILED } from './auth-service';
import { bootstrapAuth } from './bootstrap-auth';
import { LoginThrottle } from './login-throttle';
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from './password-hasher';
import { sha256Hex } from './secrets';

const log = pino({ level: 'silent' });
const HOUR = 3_600_000;
const PASSWORD = 'correct horse battery staple';

describe('password hashing (argon2id)', () => {
  it('hashes with a fresh salt, verifies, and refuses a wrong password or a malformed hash', async () => {
    const a = await hashPassword(PASSWORD);
    const b = await hashPassword(PASSWORD);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, PASSWORD)).toBe(true);
    expect(await verifyPassword(a, `${PASSWORD}!`)).toBe(false);
    expect(await verifyPassword('not a hash', PASSWORD)).toBe(false);
    expect(needsRehash(a)).toBe(false);
    expect(needsRehash('$argon2id$v=19$m=4096,t=3,p=1$abc$def')).toBe(true);
  });

  it('refuses short, username-containing and monotonous passwords', () => {
    expect(passwordProblem('short')).toMatch(/12/);
    expect(passwordProblem('alice-is-my-password', 'alice')).toMatch(/username/);
    expect(passwordProblem('aaaaaaaaaaaaaaaa')).toMatch(/different/);
    expect(passwordProblem(PASSWORD, 'alice')).toBeNull();
  });
});

describe('AuthService on SQLite', () => {
  let dir: string;
  let db: Database;
  let clock: Date;
  const now = () => clock;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ich-auth-'));
    db = await openDatabase({ dataDir: dir, log });
    clock = new Date('2026-11-23T08:00:00Z');
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function service(extra: Partial<ConstructorParameters<typeof AuthService>[0]> = {}) {
    return new AuthService({ prisma: db.prisma, log, sessionTtlMs: 12 * HOUR, now, failureFloorMs: 0, ...extra });
  }

  async function addUser(username: string, role: 'clinician' | 'radiologist' | 'admin', mustChangePassword = false) {
    return db.prisma.user.create({ data: { username, role, passwordHash: await hashPassword(PASSWORD), mustChangePassword } });
  }

  it('signs in, stores only the SHA-256 of the session token, and authenticates the cookie', async () => {
    await addUser('alice', 'radiologist');
    const auth = service();
    const result = await auth.login({ username: ' Alice ', password: PASSWORD, ip: '10.0.0.1', userAgent: 'test' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const sessions = await db.prisma.session.findMany();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.tokenHash).toBe(sha256Hex(result.token));
    expect(JSON.stringify(sessions)).not.toContain(result.token);

    const headers = new Headers({ cookie: `other=1; ich_session=${result.token}` });
    expect(await auth.authenticate(headers)).toMatchObject({ kind: 'user', username: 'alice', role: 'radiologist', mustChangePassword: false });
    expect(await auth.authenticate(new Headers({ cookie: 'ich_session=forged' }))).toBeNull();
    expect(await auth.authenticate(new Headers())).toBeNull();
  });

  it('gives one generic message for an unknown user, a wrong password and a locked account', async () => {
    await addUser('bob', 'clinician');
    const auth = service();
    const unknown = await auth.login({ username: 'nobody', password: PASSWORD });
    const wrong = await auth.login({ username: 'bob', password: 'wrong password!!' });
    expect(unknown).toEqual({ ok: false, code: 'UNAUTHENTICATED', message: LOGIN_FAILED });
    expect(wrong).toEqual(unknown);
  });

  it('spends about as long on an unknown user as on a known one (no user enumeration by timing)', async () => {
    await addUser('carol', 'clinician');
    const auth = service({ lockout: { maxFailures: 1000, lockMs: 1 }, failureFloorMs: 400 });
    await auth.login({ username: 'nobody', password: 'warm up the dummy hash' });
    const time = async (username: string) => {
      const t = performance.now();
      await auth.login({ username, password: 'wrong password!!' });
      return performance.now() - t;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      known.push(await time('carol'));
      unknown.push(await time('nobody'));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // Both verify one argon2id hash, and failures are padded to a floor that hides the extra
    // database writes for a real account.
    expect(median(unknown)).toBeGreaterThanOrEqual(390);
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.75);
  });

  it('locks an account for one address after 5 failures there, not for its owner elsewhere, for 15 minutes', async () => {
    await addUser('dave', 'clinician');
    const auth = service();
    const stranger = '203.0.113.66';
    for (let i = 0; i < 5; i++) expect((await auth.login({ username: 'dave', password: `wrong ${i} password`, ip: stranger })).ok).toBe(false);
    // The stranger is locked out even with the right password (same generic message)...
    expect(await auth.login({ username: 'dave', password: PASSWORD, ip: stranger })).toEqual({ ok: false, code: 'UNAUTHENTICATED', message: LOGIN_FAILED });
    // ...the owner, from their own address, is not: a stranger cannot lock any account at will.
    expect((await auth.login({ username: 'dave', password: PASSWORD, ip: '192.168.7.21' })).ok).toBe(true);
    clock = new Date(clock.getTime() + 15 * 60_000 + 1);
    expect((await auth.login({ username: 'dave', password: PASSWORD, ip: stranger })).ok).toBe(true);
  });

  it('shares the counters in the database: a second node sees the lock and address count of the first', async () => {
    await addUser('gina', 'clinician');
    const nodeA = service({ throttle: new LoginThrottle({ prisma: db.prisma, limit: 3, now }) });
    const nodeB = service({ throttle: new LoginThrottle({ prisma: db.prisma, limit: 3, now }), lockout: { maxFailures: 2, lockMs: 60_000 } });
    await nodeA.login({ username: 'gina', password: 'wrong password!!', ip: '10.0.0.5' });
    await nodeB.login({ username: 'gina', password: 'wrong password!!', ip: '10.0.0.5' });
    // Locked for 10.0.0.5 by two failures on two nodes.
    expect((await nodeA.login({ username: 'gina', password: PASSWORD, ip: '10.0.0.5' })).ok).toBe(false);
    // Three attempts from 10.0.0.5 over both nodes: the fourth is refused unchecked.
    expect(await nodeB.login({ username: 'gina', password: PASSWORD, ip: '10.0.0.5' })).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
  });

  it('backs off slower per account: after 20 failures from many addresses, new addresses wait; known ones do not', async () => {
    await addUser('hank', 'clinician');
    const auth = service();
    expect((await auth.login({ username: 'hank', password: PASSWORD, ip: '192.168.7.30' })).ok).toBe(true);
    for (let i = 0; i < 20; i++) await auth.login({ username: 'hank', password: 'wrong password!!', ip: `198.51.100.${i}` });
    const user = await db.prisma.user.findUniqueOrThrow({ where: { username: 'hank' } });
    expect(user.lockedUntil?.getTime()).toBe(clock.getTime() + 15 * 60_000);
    expect((await auth.login({ username: 'hank', password: PASSWORD, ip: '198.51.100.200' })).ok).toBe(false);
    expect((await auth.login({ username: 'hank', password: PASSWORD, ip: '192.168.7.30' })).ok).toBe(true);
    expect(await db.prisma.user.findUniqueOrThrow({ where: { username: 'hank' } })).toMatchObject({ failedLoginCount: 0, lockedUntil: null });
  });

  it('rate-limits sign-in attempts per client address (IPv6 by its /64)', async () => {
    await addUser('erin', 'clinician');
    const auth = service({ throttle: new LoginThrottle({ prisma: db.prisma, limit: 3, windowMs: 60_000, now }) });
    for (let i = 0; i < 3; i++) await auth.login({ username: 'nobody', password: 'x', ip: '10.0.0.9' });
    expect(await auth.login({ username: 'erin', password: PASSWORD, ip: '10.0.0.9' })).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
    expect((await auth.login({ username: 'erin', password: PASSWORD, ip: '10.0.0.10' })).ok).toBe(true);
    for (let i = 1; i <= 3; i++) await auth.login({ username: 'nobody', password: 'x', ip: `2001:db8:1:2::${i}` });
    expect(await auth.login({ username: 'erin', password: PASSWORD, ip: '2001:db8:1:2:ffff::9' })).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
    clock = new Date(clock.getTime() + 60_001);
    expect((await auth.login({ username: 'erin', password: PASSWORD, ip: '10.0.0.9' })).ok).toBe(true);
  });

  it('does not sign in a disabled user', async () => {
    const u = await addUser('frank', 'admin');
    await db.prisma.user.update({ where: { id: u.id }, data: { disabledAt: clock } });
    expect((await service().login({ username: 'frank', password: PASSWORD })).ok).toBe(false);
  });

  it('expires an idle session, slides the expiry of an active one, and caps its whole life', async () => {
    await addUser('gina', 'clinician');
    const auth = service({ sessionTtlMs: 2 * HOUR, sessionMaxAgeMs: 5 * HOUR });
    const login = await auth.login({ username: 'gina', password: PASSWORD });
    if (!login.ok) throw new Error('login failed');
    const token = login.token;

    // Active every 90 minutes: still valid after 4.5 hours, though the idle TTL is 2 hours.
    for (let i = 0; i < 3; i++) {
      clock = new Date(clock.getTime() + 1.5 * HOUR);
      expect(await auth.authenticateSession(token)).not.toBeNull();
    }
    // The absolute cap (5 h from sign-in) ends it however active.
    clock = new Date(clock.getTime() + 0.75 * HOUR);
    expect(await auth.authenticateSession(token)).toBeNull();

    const second = await auth.login({ username: 'gina', password: PASSWORD });
    if (!second.ok) throw new Error('login failed');
    clock = new Date(clock.getTime() + 2 * HOUR + 1);
    expect(await auth.authenticateSession(second.token)).toBeNull();
  });

  it('revokes a session at logout', async () => {
    await addUser('hank', 'clinician');
    const auth = service();
    const login = await auth.login({ username: 'hank', password: PASSWORD });
    if (!login.ok) throw new Error('login failed');
    expect(await auth.authenticateSession(login.token)).not.toBeNull();
    await auth.logout(login.token);
    expect(await auth.authenticateSession(login.token)).toBeNull();
    expect((await db.prisma.session.findFirstOrThrow()).revokedAt).not.toBeNull();
  });

  it('changes a password: checks the current one, applies the policy, clears the flag, ends other sessions', async () => {
    await addUser('ivy', 'admin', true);
    const auth = service();
    const a = await auth.login({ username: 'ivy', password: PASSWORD });
    const b = await auth.login({ username: 'ivy', password: PASSWORD });
    if (!a.ok || !b.ok) throw new Error('login failed');
    expect(a.principal.mustChangePassword).toBe(true);

    expect(await auth.changePassword(a.principal.userId, a.principal.sessionId, 'wrong', 'a much better passphrase')).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
    expect(await auth.changePassword(a.principal.userId, a.principal.sessionId, PASSWORD, 'short')).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    expect(await auth.changePassword(a.principal.userId, a.principal.sessionId, PASSWORD, 'a much better passphrase')).toEqual({ ok: true });

    expect(await auth.authenticateSession(a.token)).toMatchObject({ mustChangePassword: false });
    expect(await auth.authenticateSession(b.token)).toBeNull();
    expect((await auth.login({ username: 'ivy', password: PASSWORD })).ok).toBe(false);
    expect((await auth.login({ username: 'ivy', password: 'a much better passphrase' })).ok).toBe(true);
  });

  it('authenticates bearer tokens by hash, honours revocation and expiry, and never lets a bad token fall back to the cookie', async () => {
    await addUser('jack', 'clinician');
    const auth = service();
    const { id, token } = await auth.createApiToken({ name: 'pacs', role: 'integration', expiresAt: new Date(clock.getTime() + HOUR) });
    expect((await db.prisma.apiToken.findUniqueOrThrow({ where: { id } })).tokenHash).toBe(sha256Hex(token));
    expect(await auth.authenticate(new Headers({ authorization: `Bearer ${token}` }))).toEqual({ kind: 'token', tokenId: id, name: 'pacs', role: 'integration' });

    const login = await auth.login({ username: 'jack', password: PASSWORD });
    if (!login.ok) throw new Error('login failed');
    expect(await auth.authenticate(new Headers({ authorization: 'Bearer nope', cookie: `ich_session=${login.token}` }))).toBeNull();
    expect(await auth.authenticate(new Headers({ authorization: `Basic ${token}` }))).toBeNull();

    clock = new Date(clock.getTime() + HOUR + 1);
    expect(await auth.authenticateBearer(token)).toBeNull();
    const other = await auth.createApiToken({ name: 'ris', role: 'clinician' });
    expect(await auth.authenticateBearer(other.token)).not.toBeNull();
    await auth.revokeApiToken(other.id);
    expect(await auth.authenticateBearer(other.token)).toBeNull();
  });

  it('lets a socket in only with a session of a user who may read the worklist, from our own origin', async () => {
    await addUser('kim', 'clinician');
    await addUser('lee', 'admin', true);
    const auth = service();
    const kim = await auth.login({ username: 'kim', password: PASSWORD });
    const lee = await auth.login({ username: 'lee', password: PASSWORD });
    if (!kim.ok || !lee.ok) throw new Error('login failed');
    const h = (cookie: string, origin?: string) => new Headers({ cookie, host: 'triage.local:3000', ...(origin ? { origin } : {}) });
    expect(await auth.authenticateSocket(h(`ich_session=${kim.token}`, 'http://triage.local:3000'))).toMatchObject({ username: 'kim' });
    expect(await auth.authenticateSocket(h(`ich_session=${kim.token}`))).toMatchObject({ username: 'kim' });
    expect(await auth.authenticateSocket(h(`ich_session=${kim.token}`, 'https://evil.example'))).toBeNull();
    expect(await auth.authenticateSocket(h(`ich_session=${lee.token}`))).toBeNull(); // password change pending
    expect(await auth.authenticateSocket(h(''))).toBeNull();
  });

  describe('bootstrap', () => {
    it('creates the first admin from ADMIN_PASSWORD with a forced password change, once', async () => {
      const announced: string[] = [];
      const opts = { prisma: db.prisma, log, adminUsername: 'Root', adminPassword: PASSWORD, apiTokens: [], announce: (t: string) => announced.push(t) };
      expect(await bootstrapAuth(opts)).toMatchObject({ adminCreated: 'env' });
      const admin = await db.prisma.user.findUniqueOrThrow({ where: { username: 'root' } });
      expect(admin).toMatchObject({ role: 'admin', mustChangePassword: true });
      expect(admin.passwordHash).not.toContain(PASSWORD);
      expect(announced).toEqual([]);
      expect(await bootstrapAuth({ ...opts, adminPassword: 'another password entirely' })).toMatchObject({ adminCreated: null });
      expect(await db.prisma.user.count()).toBe(1);
      const login = await service().login({ username: 'root', password: PASSWORD });
      expect(login).toMatchObject({ ok: true, principal: { mustChangePassword: true } });
    });

    it('without ADMIN_PASSWORD announces a random one-time password once, and it works', async () => {
      const announced: string[] = [];
      const opts = { prisma: db.prisma, log, adminUsername: 'admin', adminPassword: undefined, apiTokens: [], announce: (t: string) => announced.push(t) };
      expect(await bootstrapAuth(opts)).toMatchObject({ adminCreated: 'generated' });
      expect(announced).toHaveLength(1);
      const password = /one-time password: (\S+)/.exec(announced[0]!)?.[1];
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(await service().login({ username: 'admin', password: password! })).toMatchObject({ ok: true, principal: { mustChangePassword: true } });
      await bootstrapAuth(opts);
      expect(announced).toHaveLength(1);
    });

    it('stores API_TOKENS hashed, keeps a revoked one revoked, follows role changes and revokes removed ones', async () => {
      const t1 = 'a'.repeat(20) + 'b'.repeat(20);
      const t2 = 'c'.repeat(20) + 'd'.repeat(20);
      const base = { prisma: db.prisma, log, adminUsername: 'admin', adminPassword: PASSWORD, announce: () => undefined };
      expect(await bootstrapAuth({ ...base, apiTokens: [{ name: 'pacs', role: 'integration', token: t1 }, { name: 'mon', role: 'clinician', token: t2 }] })).toMatchObject({ tokensCreated: 2 });
      const rows = await db.prisma.apiToken.findMany({ orderBy: { name: 'asc' } });
      expect(rows.map((r) => r.name)).toEqual(['env:mon', 'env:pacs']);
      expect(JSON.stringify(rows)).not.toContain(t1);
      const auth = service();
      expect(await auth.authenticateBearer(t1)).toMatchObject({ name: 'env:pacs', role: 'integration' });

      await auth.revokeApiToken(rows[1]!.id);
      const again = await bootstrapAuth({ ...base, apiTokens: [{ name: 'pacs', role: 'integration', token: t1 }, { name: 'mon', role: 'radiologist', token: t2 }] });
      expect(again).toMatchObject({ tokensCreated: 0, tokensRevoked: 0 });
      expect(await auth.authenticateBearer(t1)).toBeNull();
      expect(await auth.authenticateBearer(t2)).toMatchObject({ role: 'radiologist' });

      expect(await bootstrapAuth({ ...base, apiTokens: [] })).toMatchObject({ tokensRevoked: 1 });
      expect(await auth.authenticateBearer(t2)).toBeNull();
    });
  });
});
