import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/server/db';
import { AuthService } from './auth-service';
import { hashPassword } from './password-hasher';
import { UserAdmin } from './user-admin';

const log = pino({ level: 'silent' });
const PASSWORD = 'a long enough test password';

describe('UserAdmin (SQLite)', () => {
  let dir: string;
  let db: Database;
  let admin: UserAdmin;
  let auth: AuthService;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ich-useradmin-'));
    db = await openDatabase({ dataDir: dir, log });
    admin = new UserAdmin(db.prisma, log);
    auth = new AuthService({ prisma: db.prisma, log, sessionTtlMs: 3_600_000, failureFloorMs: 0, lockout: { maxFailures: 2, lockMs: 60_000 } });
    const passwordHash = await hashPassword(PASSWORD);
    for (const [username, role] of [['boss', 'admin'], ['deputy', 'admin'], ['doc', 'radiologist']] as const) {
      ids[username] = (await db.prisma.user.create({ data: { username, role, passwordHash, mustChangePassword: false } })).id;
    }
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('changes a role, effective on the next request of an open session', async () => {
    const r = await auth.login({ username: 'doc', password: PASSWORD });
    if (!r.ok) throw new Error('login failed');
    expect(await admin.update(ids.boss, ids.doc!, { role: 'clinician' })).toMatchObject({ ok: true, user: { username: 'doc', role: 'clinician' } });
    expect(await auth.authenticateSession(r.token)).toMatchObject({ role: 'clinician' });
  });

  it('disabling ends the sessions and refuses sign-in; enabling lets the person back', async () => {
    const r = await auth.login({ username: 'doc', password: PASSWORD });
    if (!r.ok) throw new Error('login failed');
    const done = await admin.update(ids.boss, ids.doc!, { disabled: true });
    expect(done.ok && done.user.disabledAt).toBeInstanceOf(Date);
    expect(await auth.authenticateSession(r.token)).toBeNull();
    expect(await db.prisma.session.count({ where: { userId: ids.doc, revokedAt: null } })).toBe(0);
    expect((await auth.login({ username: 'doc', password: PASSWORD })).ok).toBe(false);
    await admin.update(ids.boss, ids.doc!, { disabled: false });
    expect((await auth.login({ username: 'doc', password: PASSWORD })).ok).toBe(true);
  });

  it('unlocks a locked account', async () => {
    for (let i = 0; i < 2; i++) await auth.login({ username: 'doc', password: 'wrong password!!' });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: ids.doc } })).lockedUntil).not.toBeNull();
    expect((await auth.login({ username: 'doc', password: PASSWORD })).ok).toBe(false);
    expect(await admin.update(ids.boss, ids.doc!, { unlock: true })).toMatchObject({ ok: true, user: { lockedUntil: null } });
    expect((await auth.login({ username: 'doc', password: PASSWORD })).ok).toBe(true);
  });

  it('an admin may not disable or demote themself, nor anyone the last enabled admin', async () => {
    expect(await admin.update(ids.boss, ids.boss!, { disabled: true })).toEqual({ ok: false, code: 'FORBIDDEN', message: 'an admin may not disable or demote themself' });
    expect(await admin.update(ids.boss, ids.boss!, { role: 'radiologist' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await admin.update(ids.boss, ids.boss!, { role: 'admin', unlock: true })).toMatchObject({ ok: true });
    expect(await admin.update(ids.boss, ids.deputy!, { disabled: true })).toMatchObject({ ok: true });
    // boss is now the only enabled admin: a service token (no user) cannot remove them either.
    expect(await admin.update(undefined, ids.boss!, { role: 'clinician' })).toEqual({ ok: false, code: 'FORBIDDEN', message: 'this is the last enabled admin' });
    expect(await admin.update(ids.boss, 'no-such-id', { unlock: true })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
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
    registerServices({ auth, userAdmin: new UserAdmin(db.prisma, log) } as unknown as Parameters<typeof registerServices>[0]);
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
