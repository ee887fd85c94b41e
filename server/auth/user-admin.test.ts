import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, verifyAuditChain } from '@/server/audit';
import { openDatabase, type Database } from '@/server/db';
import { allTestDatabases } from '@/test/support/test-databases';
import { AuthService } from './auth-service';
import { hashPassword } from './password-hasher';
import { UserAdmin, type AdminActor } from './user-admin';

const log = pino({ level: 'silent' });
const PASSWORD = 'a long enough test password';
const TOKEN: AdminActor = { userId: null, username: 'token:ops', ip: null };

describe.each(allTestDatabases())('UserAdmin on $provider', (dbs) => {
  let db: Database;
  let admin: UserAdmin;
  let auth: AuthService;
  const ids: Record<string, string> = {};
  const by = (username: string): AdminActor => ({ userId: ids[username]!, username, ip: '10.9.8.7' });
  /** The journal entries after `seq`, as [action, actor, target, details]. */
  const journalSince = async (seq: number) =>
    (await db.prisma.auditEvent.findMany({ where: { seq: { gt: seq } }, orderBy: { seq: 'asc' } })).map((e) => [e.action, e.actorUsername, e.targetId, JSON.parse(e.details)]);
  const lastSeq = async () => (await db.prisma.auditEvent.findFirst({ orderBy: { seq: 'desc' } }))?.seq ?? 0;

  beforeAll(async () => {
    if (dbs.unavailable) return;
    await dbs.start();
    const t = await dbs.fresh();
    db = await openDatabase({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, log });
    admin = new UserAdmin(db.prisma, log, new AuditLog(db.prisma, db.provider));
    auth = new AuthService({ prisma: db.prisma, log, sessionTtlMs: 3_600_000, failureFloorMs: 0, lockout: { maxFailures: 2, lockMs: 60_000 }, accountLockout: { maxFailures: 2, lockMs: 60_000 } });
    const passwordHash = await hashPassword(PASSWORD);
    for (const [username, role] of [['boss', 'admin'], ['deputy', 'admin'], ['doc', 'radiologist']] as const) {
      ids[username] = (await db.prisma.user.create({ data: { username, role, passwordHash, mustChangePassword: false } })).id;
    }
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await dbs.stop();
  });

  it.skipIf(dbs.unavailable)('changes a role, effective on the next request of an open session, and journals it', async () => {
    const r = await auth.login({ username: 'doc', password: PASSWORD });
    if (!r.ok) throw new Error('login failed');
    const seq = await lastSeq();
    expect(await admin.update(by('boss'), ids.doc!, { role: 'clinician' })).toMatchObject({ ok: true, user: { username: 'doc', role: 'clinician' } });
    expect(await auth.authenticateSession(r.token)).toMatchObject({ role: 'clinician' });
    expect(await journalSince(seq)).toEqual([['user.role_changed', 'boss', ids.doc, { username: 'doc', from: 'radiologist', to: 'clinician' }]]);
    const row = await db.prisma.auditEvent.findFirstOrThrow({ where: { seq: seq + 1 } });
    expect(row).toMatchObject({ ip: '10.9.8.7', actorUserId: ids.boss, targetType: 'user' });
  });

  it.skipIf(dbs.unavailable)('disabling ends the sessions and refuses sign-in; enabling lets the person back; both journaled', async () => {
    const r = await auth.login({ username: 'doc', password: PASSWORD });
    if (!r.ok) throw new Error('login failed');
    const seq = await lastSeq();
    const done = await admin.update(by('boss'), ids.doc!, { disabled: true });
    expect(done.ok && done.user.disabledAt).toBeInstanceOf(Date);
    expect(await auth.authenticateSession(r.token)).toBeNull();
    expect(await db.prisma.session.count({ where: { userId: ids.doc, revokedAt: null } })).toBe(0);
    expect((await auth.login({ username: 'doc', password: PASSWORD })).ok).toBe(false);
    await admin.update(by('boss'), ids.doc!, { disabled: true }); // already disabled: nothing new to record
    await admin.update(by('boss'), ids.doc!, { disabled: false });
    expect((await auth.login({ username: 'doc', password: PASSWORD })).ok).toBe(true);
    expect((await journalSince(seq)).map((e) => e[0])).toEqual(['user.disabled', 'user.enabled']);
  });

  it.skipIf(dbs.unavailable)('unlocks a locked account and journals it', async () => {
    for (let i = 0; i < 2; i++) await auth.login({ username: 'doc', password: 'wrong password!!' });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: ids.doc } })).lockedUntil).not.toBeNull();
    expect((await auth.login({ username: 'doc', password: PASSWORD })).ok).toBe(false);
    const seq = await lastSeq();
    expect(await admin.update(by('boss'), ids.doc!, { unlock: true })).toMatchObject({ ok: true, user: { lockedUntil: null } });
    expect((await auth.login({ username: 'doc', password: PASSWORD })).ok).toBe(true);
    expect(await journalSince(seq)).toEqual([['user.unlocked', 'boss', ids.doc, { username: 'doc', wasLocked: true }]]);
  });

  it.skipIf(dbs.unavailable)('creates an account with a one-time password that must be changed, journaled without the password', async () => {
    const seq = await lastSeq();
    const created = await admin.createUser(by('boss'), { username: ' New.Nurse ', role: 'clinician' });
    if (!created.ok) throw new Error(created.message);
    expect(created.user).toMatchObject({ username: 'new.nurse' });
    expect(await admin.createUser(by('boss'), { username: 'new.nurse', role: 'admin' })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    const r = await auth.login({ username: 'new.nurse', password: created.user.oneTimePassword });
    expect(r.ok && r.principal.mustChangePassword).toBe(true);
    const journal = await journalSince(seq);
    expect(journal).toEqual([['user.created', 'boss', created.user.id, { username: 'new.nurse', role: 'clinician' }]]);
    expect(JSON.stringify(journal)).not.toContain(created.user.oneTimePassword);
  });

  it.skipIf(dbs.unavailable)('resets a password: one-time password, change forced, sessions ended, lock cleared, journaled', async () => {
    const before = await auth.login({ username: 'doc', password: PASSWORD });
    if (!before.ok) throw new Error('login failed');
    for (let i = 0; i < 2; i++) await auth.login({ username: 'doc', password: 'wrong password!!' });
    const open = await db.prisma.session.count({ where: { userId: ids.doc, revokedAt: null } });
    expect(open).toBeGreaterThan(0);
    const seq = await lastSeq();
    const reset = await admin.resetPassword(by('boss'), ids.doc!);
    if (!reset.ok) throw new Error(reset.message);
    expect(reset.user).toMatchObject({ mustChangePassword: true, lockedUntil: null });
    expect(reset.oneTimePassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await auth.authenticateSession(before.token)).toBeNull();
    expect((await auth.login({ username: 'doc', password: PASSWORD })).ok).toBe(false);
    const after = await auth.login({ username: 'doc', password: reset.oneTimePassword });
    expect(after.ok && after.principal.mustChangePassword).toBe(true);
    if (!after.ok) return;
    expect(await auth.changePassword(ids.doc!, after.principal.sessionId, reset.oneTimePassword, PASSWORD)).toEqual({ ok: true });
    const journal = await journalSince(seq);
    expect(journal).toEqual([['user.password_reset', 'boss', ids.doc, { username: 'doc', sessionsEnded: open }]]);
    expect(JSON.stringify(journal)).not.toContain(reset.oneTimePassword);
    expect(await admin.resetPassword(by('boss'), ids.boss!)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await admin.resetPassword(by('boss'), 'nobody')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    const sso = await db.prisma.user.create({ data: { username: 'sso', role: 'clinician', passwordHash: '!external:oidc:abc:def', mustChangePassword: false } });
    expect(await admin.resetPassword(by('boss'), sso.id)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  it.skipIf(dbs.unavailable)('creates and revokes service tokens, journaled by id and name, never the token', async () => {
    const seq = await lastSeq();
    const { id, token } = await admin.createToken(by('boss'), { name: 'pacs', role: 'integration' });
    expect(await auth.authenticateBearer(token)).toMatchObject({ name: 'pacs' });
    expect(await admin.revokeToken(by('boss'), id)).toEqual({ ok: true, revoked: true });
    expect(await admin.revokeToken(by('boss'), id)).toEqual({ ok: true, revoked: false });
    expect(await admin.revokeToken(by('boss'), 'nope')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await auth.authenticateBearer(token)).toBeNull();
    const journal = await journalSince(seq);
    expect(journal).toEqual([
      ['token.created', 'boss', id, { name: 'pacs', role: 'integration', expiresAt: null }],
      ['token.revoked', 'boss', id, { name: 'pacs', role: 'integration' }],
    ]);
    expect(JSON.stringify(journal)).not.toContain(token);
  });

  it.skipIf(dbs.unavailable)('an admin may not disable or demote themself, nor anyone the last enabled admin', async () => {
    expect(await admin.update(by('boss'), ids.boss!, { disabled: true })).toEqual({ ok: false, code: 'FORBIDDEN', message: 'an admin may not disable or demote themself' });
    expect(await admin.update(by('boss'), ids.boss!, { role: 'radiologist' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await admin.update(by('boss'), ids.boss!, { role: 'admin', unlock: true })).toMatchObject({ ok: true });
    expect(await admin.update(by('boss'), ids.deputy!, { disabled: true })).toMatchObject({ ok: true });
    // boss is now the only enabled admin: a service token (no user) cannot remove them either.
    expect(await admin.update(TOKEN, ids.boss!, { role: 'clinician' })).toEqual({ ok: false, code: 'FORBIDDEN', message: 'this is the last enabled admin' });
    expect(await admin.update(by('boss'), 'no-such-id', { unlock: true })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: true });
  });
});

describe('PATCH /api/auth/users/:id (route handler, SQLite)', () => {
  let dir: string;
  let db: Database;
  let cookie: string;
  let selfId: string;
  let otherId: string;

  beforeAll(async () => {
    const { registerServices } = await import('@/server/http/service-registry');
    dir = mkdtempSync(join(tmpdir(), 'ich-useradmin-route-'));
    db = await openDatabase({ dataDir: dir, log });
    const auth = new AuthService({ prisma: db.prisma, log, sessionTtlMs: 3_600_000, failureFloorMs: 0 });
    // Only what this route uses; the other services are never called here.
    registerServices({ auth, userAdmin: new UserAdmin(db.prisma, log, new AuditLog(db.prisma, db.provider)) } as unknown as Parameters<typeof registerServices>[0]);
    const passwordHash = await hashPassword(PASSWORD);
    selfId = (await db.prisma.user.create({ data: { username: 'root', role: 'admin', passwordHash, mustChangePassword: false } })).id;
    otherId = (await db.prisma.user.create({ data: { username: 'doc', role: 'clinician', passwordHash, mustChangePassword: false } })).id;
    const r = await auth.login({ username: 'root', password: PASSWORD });
    if (!r.ok) throw new Error('login failed');
    cookie = `ich_session=${r.token}`;
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function patch(id: string, body: unknown, origin = 'http://triage.test') {
    const { PATCH } = await import('@/app/api/auth/users/[id]/route');
    const headers = { host: 'triage.test', cookie, origin, 'content-type': 'application/json' };
    return PATCH(new Request(`http://triage.test/api/auth/users/${id}`, { method: 'PATCH', headers, body: JSON.stringify(body) }), { params: Promise.resolve({ id }) });
  }

  async function resetPassword(id: string, origin = 'http://triage.test') {
    const { POST } = await import('@/app/api/auth/users/[id]/password-reset/route');
    const headers = { host: 'triage.test', cookie, origin, 'x-forwarded-for': '10.0.0.5' };
    return POST(new Request(`http://triage.test/api/auth/users/${id}/password-reset`, { method: 'POST', headers }), { params: Promise.resolve({ id }) });
  }

  it('POST /api/auth/users/:id/password-reset answers the one-time password once and journals who did it from where', async () => {
    const res = await resetPassword(otherId);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { user: { id: string; mustChangePassword: boolean }; oneTimePassword: string };
    expect(body.user).toMatchObject({ id: otherId, mustChangePassword: true });
    expect(body.oneTimePassword).toHaveLength(24);
    const entry = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'user.password_reset' } });
    expect(entry).toMatchObject({ actorUsername: 'root', targetId: otherId, ip: '10.0.0.5' });
    expect((await resetPassword(selfId)).status).toBe(403);
    expect((await resetPassword('nobody')).status).toBe(404);
    expect((await resetPassword(otherId, 'https://evil.example')).status).toBe(403);
    expect(await db.prisma.auditEvent.count({ where: { action: 'user.password_reset' } })).toBe(1);
  });

  it('changes a role and answers the account without secrets', async () => {
    const res = await patch(otherId, { role: 'radiologist' });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ user: { id: otherId, username: 'doc', role: 'radiologist' } });
    expect(text).not.toMatch(/argon2|passwordHash/);
  });

  it('refuses bad bodies (422), self-demotion (403), a foreign origin (403) and an unknown id (404)', async () => {
    for (const body of [{}, { role: 'integration' }, { unlock: false }, { disabled: 'yes' }, { role: 'admin', extra: 1 }]) {
      expect((await patch(otherId, body)).status, JSON.stringify(body)).toBe(422);
    }
    const self = await patch(selfId, { disabled: true });
    expect(self.status).toBe(403);
    expect(await self.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'an admin may not disable or demote themself' } });
    const csrf = await patch(otherId, { disabled: true }, 'https://evil.example');
    expect(csrf.status).toBe(403);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: otherId } })).disabledAt).toBeNull();
    expect((await patch('nobody', { unlock: true })).status).toBe(404);
  });
});
