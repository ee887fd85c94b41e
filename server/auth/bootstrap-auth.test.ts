import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/server/db';
import { bootstrapAuth } from './bootstrap-auth';
import { verifyPassword } from './password-hasher';

const log = pino({ level: 'silent' });

/** Issue 15 item 6: ADMIN_PASSWORD meets the same rules as every other password. */
describe('bootstrapAuth: the first admin from ADMIN_PASSWORD', () => {
  let dir: string;
  let db: Database;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ich-bootstrap-'));
    db = await openDatabase({ dataDir: dir, log });
  }, 60_000); // migrating a fresh database takes seconds on a loaded CI machine
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const boot = (adminUsername: string, adminPassword: string) =>
    bootstrapAuth({ prisma: db.prisma, log, adminUsername, adminPassword, apiTokens: [], announce: () => undefined });

  it.each([
    ['Radiology', 'my-radiology-pass', /must not contain the username/],
    ['admin', 'aaaaaaaaaaaaaaaa', /more different characters/],
  ])('refuses ADMIN_PASSWORD for %s that breaks a password rule, naming the rule, and creates no user', async (username, password, rule) => {
    await expect(boot(username, password)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(rule) });
    await expect(boot(username, password)).rejects.toThrow(/^ADMIN_PASSWORD: /);
    expect(await db.prisma.user.count()).toBe(0);
  });

  it('creates the admin from an ADMIN_PASSWORD that meets the rules, to be changed at first sign-in', async () => {
    const report = await boot('admin', 'correct horse battery');
    expect(report).toMatchObject({ adminCreated: 'env', adminUsername: 'admin' });
    const user = await db.prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
    expect(user.mustChangePassword).toBe(true);
    expect(await verifyPassword(user.passwordHash, 'correct horse battery')).toBe(true);
  });
});
