import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/server/db';
import { allTestDatabases, memoryLog, type TestDatabase } from '@/test/support/test-databases';
import { canonicalJson } from './canonical-json';
import { AuditLog, type AuditEventInput } from './audit-log';
import { verifyAuditChain } from './verify-audit-chain';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

const event = (n: number): AuditEventInput => ({
  actor: { userId: `u${n % 3}`, username: `user${n % 3}` },
  ip: '10.0.0.7',
  action: n % 2 ? 'study.viewed' : 'study.acknowledged',
  target: { type: 'study', id: `1.2.826.0.1.3680043.8.498.${n}` },
  details: { n, from: 'triaged', nested: { b: 2, a: [1, 'x'] } },
});

/** `npm run audit:verify` against a test database; resolves with exit code and the JSON line. */
async function auditVerifyCli(t: TestDatabase): Promise<{ code: number; out: Record<string, unknown> }> {
  const env = { ...process.env, DATA_DIR: t.dataDir, DATABASE_URL: t.databaseUrl ?? '', LOG_LEVEL: 'silent' };
  if (!t.databaseUrl) delete (env as Record<string, string | undefined>).DATABASE_URL;
  const done = await run(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts'], { cwd: REPO_ROOT, env }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  return { code: done.code, out: JSON.parse(done.stdout.trim().split('\n').pop()!) as Record<string, unknown> };
}

describe('canonical JSON', () => {
  it('sorts keys at every level, so equal values hash equally', () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' } })).toBe('{"a":{"c":"x","d":[true,null]},"b":1}');
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/no JSON form/);
  });
});

describe.each(allTestDatabases())('the audit journal on $provider', (dbs) => {
  const open: Database[] = [];

  /** A fresh database with `n` entries written by the AuditLog. */
  async function journal(n: number): Promise<{ db: Database; log: AuditLog; target: TestDatabase }> {
    const target = await dbs.fresh();
    const db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir, log: memoryLog() });
    open.push(db);
    const log = new AuditLog(db.prisma, db.provider);
    for (let i = 1; i <= n; i++) await log.append(event(i));
    return { db, log, target };
  }

  /** Tampers as someone with direct database access would: past the append-only triggers. */
  async function tamper(db: Database, statements: string[]): Promise<void> {
    if (db.provider === 'sqlite') {
      await db.prisma.$executeRawUnsafe('DROP TRIGGER "AuditEvent_no_update"');
      await db.prisma.$executeRawUnsafe('DROP TRIGGER "AuditEvent_no_delete"');
    } else {
      await db.prisma.$executeRawUnsafe('ALTER TABLE "AuditEvent" DISABLE TRIGGER USER');
    }
    for (const sql of statements) await db.prisma.$executeRawUnsafe(sql);
  }

  beforeAll(async () => {
    if (!dbs.unavailable) await dbs.start();
  }, 60_000);
  afterAll(async () => {
    for (const db of open) await db.close();
    await dbs.stop();
  });

  it.skipIf(dbs.unavailable)('never forks under concurrent appends, and the chain verifies', async () => {
    const { db, target } = await journal(0);
    const logs = [new AuditLog(db.prisma, db.provider)];
    // PostgreSQL: a second client on the same database, as a second server process has. (Two
    // SQLite clients in one process would block each other's event loop on the file lock.)
    if (db.provider === 'postgresql') {
      const other = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir, log: memoryLog() });
      open.push(other);
      logs.push(new AuditLog(other.prisma, other.provider));
    }
    const written = await Promise.all(Array.from({ length: 40 }, (_, i) => logs[i % logs.length]!.append(event(i + 1))));
    expect(written.map((w) => w.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const report = await verifyAuditChain(db.prisma, { pageSize: 7 });
    expect(report).toMatchObject({ ok: true, entries: 40, lastSeq: 40 });
    const rows = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect(rows.map((r) => r.details)).toContain(canonicalJson(event(1).details!));
  }, 60_000);

  it.skipIf(dbs.unavailable)('an append in a transaction that rolls back leaves no entry, and the chain stays intact', async () => {
    const { db, log } = await journal(3);
    await expect(
      log.transaction(async (tx) => {
        await log.append(event(4), tx);
        throw new Error('the action failed');
      }),
    ).rejects.toThrow('the action failed');
    expect(await db.prisma.auditEvent.count()).toBe(3);
    expect((await log.append(event(5))).seq).toBe(4);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: true, entries: 4 });
  });

  it.skipIf(dbs.unavailable)('refuses UPDATE and DELETE of a written entry (append-only trigger)', async () => {
    const { db } = await journal(2);
    await expect(db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "details" = '{}' WHERE "seq" = 1`)).rejects.toThrow(/append-only/);
    await expect(db.prisma.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = 2`)).rejects.toThrow(/append-only/);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: true, entries: 2 });
  });

  it.skipIf(dbs.unavailable)('detects a changed details text, naming its seq (library and npm run audit:verify)', async () => {
    const { db, target } = await journal(6);
    expect(await auditVerifyCli(target)).toMatchObject({ code: 0, out: { ok: true, entries: 6, lastSeq: 6 } });
    await tamper(db, [`UPDATE "AuditEvent" SET "details" = '{"n":4,"from":"reported"}' WHERE "seq" = 4`]);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, entries: 3, firstBad: { kind: 'changed', seq: 4 } });
    expect(await auditVerifyCli(target)).toMatchObject({ code: 1, out: { ok: false, firstBadSeq: 4, kind: 'changed' } });
  }, 60_000);

  it.skipIf(dbs.unavailable)('detects a deleted entry', async () => {
    const { db } = await journal(6);
    await tamper(db, [`DELETE FROM "AuditEvent" WHERE "seq" = 3`]);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, entries: 2, firstBad: { kind: 'removed', seq: 3 } });
  });

  it.skipIf(dbs.unavailable)('detects two swapped entries', async () => {
    const { db } = await journal(6);
    await tamper(db, [
      `UPDATE "AuditEvent" SET "seq" = -1 WHERE "seq" = 2`,
      `UPDATE "AuditEvent" SET "seq" = 2 WHERE "seq" = 3`,
      `UPDATE "AuditEvent" SET "seq" = 3 WHERE "seq" = -1`,
    ]);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, entries: 1, firstBad: { kind: 'reordered', seq: 2 } });
  });

  it.skipIf(dbs.unavailable)('detects an entry changed and re-hashed by someone who knows the hash rule', async () => {
    const { db } = await journal(5);
    const row = await db.prisma.auditEvent.findUniqueOrThrow({ where: { seq: 2 } });
    const { hashAuditEvent } = await import('./audit-hash');
    const forged = hashAuditEvent({ ...row, actorUsername: 'someone-else' });
    await tamper(db, [`UPDATE "AuditEvent" SET "actorUsername" = 'someone-else', "hash" = '${forged}' WHERE "seq" = 2`]);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, firstBad: { kind: 'changed', seq: 2 } });
  });
});
