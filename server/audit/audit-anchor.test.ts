import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/server/db';
import { performStudyAction } from '@/server/triage/study-actions';
import { allTestDatabases, memoryLog, type TestDatabase } from '@/test/support/test-databases';
import { AuditAnchor, loadOrCreateSigningKey } from './audit-anchor';
import { AUDIT_CHECKPOINT_FILE } from './audit-env';
import { hashAuditEvent } from './audit-hash';
import { AuditLog } from './audit-log';
import { verifyAuditAnchor } from './verify-audit-anchor';
import { verifyAuditChain } from './verify-audit-chain';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const silent = { ...memoryLog(), error: () => {}, debug: () => {}, child: () => silent } as never;

/** `npm run audit:verify` against a test database and its DATA_DIR; resolves with exit code and the JSON line. */
async function auditVerifyCli(t: TestDatabase, dataDir: string): Promise<{ code: number; out: Record<string, unknown> }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: t.databaseUrl, LOG_LEVEL: 'silent' };
  if (!t.databaseUrl) delete env.DATABASE_URL;
  const done = await run(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts'], { cwd: REPO_ROOT, env }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  return { code: done.code, out: JSON.parse(done.stdout.trim().split('\n').pop()!) as Record<string, unknown> };
}

describe.each(allTestDatabases())('issue 14 §4.4: what audit:verify catches on $provider', (dbs) => {
  const open: Database[] = [];
  const dirs: string[] = [];
  let uid = 0;

  /** A journal of `n` plain entries, its key and checkpoint file in a DATA_DIR of its own. */
  async function journal(n: number) {
    const target = await dbs.fresh();
    const db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir, log: memoryLog() });
    open.push(db);
    const dataDir = target.databaseUrl ? mkdtempSync(join(tmpdir(), 'audit-anchor-')) : target.dataDir;
    if (target.databaseUrl) dirs.push(dataDir);
    const log = new AuditLog(db.prisma, db.provider);
    for (let i = 1; i <= n; i++) await log.append({ actor: { userId: null, username: `u${i}` }, action: 'study.viewed', target: { type: 'study', id: `1.2.3.${i}` }, details: { n: i } });
    const files = { keyPath: join(dataDir, 'audit-signing-key.pem'), file: join(dataDir, AUDIT_CHECKPOINT_FILE) };
    const anchor = await AuditAnchor.open({ prisma: db.prisma, ...files, log: silent });
    const verify = async () => {
      const chain = await verifyAuditChain(db.prisma);
      return chain.ok ? verifyAuditAnchor(db.prisma, chain, files) : chain;
    };
    return { db, log, target, dataDir, files, anchor, verify };
  }

  /** As someone with direct database access would: past the append-only triggers. */
  async function tamper(db: Database, statements: string[]): Promise<void> {
    if (db.provider === 'sqlite') {
      await db.prisma.$executeRawUnsafe('DROP TRIGGER IF EXISTS "AuditEvent_no_update"');
      await db.prisma.$executeRawUnsafe('DROP TRIGGER IF EXISTS "AuditEvent_no_delete"');
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
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it.skipIf(dbs.unavailable)('detects a changed feedback comment, an added one, a changed reason and a deleted feedback row', async () => {
    const { db, log } = await journal(0);
    const actor = { userId: (await db.prisma.user.create({ data: { username: 'ana', role: 'clinician', passwordHash: 'x', mustChangePassword: false } })).id, username: 'ana', ip: null };
    const study = async () => {
      const StudyInstanceUID = `1.2.826.0.1.3680043.8.498.77.${++uid}`;
      await db.prisma.study.create({ data: { StudyInstanceUID, status: 'triaged', outcome: 'flagged', flagged: true, anyProbability: 0.4, priorityTier: 2, modelName: 'm', modelVersion: '1' } });
      return StudyInstanceUID;
    };
    const s1 = await study();
    await performStudyAction(log, s1, { action: 'disagree', comment: 'small bleed missed, left frontal' }, actor);
    await performStudyAction(log, s1, { action: 'agree' }, actor);
    const s2 = await study();
    await performStudyAction(log, s2, { action: 'dismiss', reason: 'motion artefact, repeat scan ordered' }, actor);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: true, entries: 3 });

    const [disagree, agree] = await db.prisma.studyFeedback.findMany({ orderBy: { createdAt: 'asc' } });
    await db.prisma.studyFeedback.update({ where: { id: disagree!.id }, data: { comment: 'no bleed' } });
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, entries: 0, firstBad: { kind: 'text', seq: 1, message: 'entry 1: its feedback comment was changed' } });
    await db.prisma.studyFeedback.update({ where: { id: disagree!.id }, data: { comment: 'small bleed missed, left frontal' } });

    await db.prisma.studyFeedback.update({ where: { id: agree!.id }, data: { comment: 'agreed, no doubt' } });
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, firstBad: { kind: 'text', seq: 2, message: 'entry 2: a feedback comment was added that the entry does not vouch for' } });
    await db.prisma.studyFeedback.delete({ where: { id: agree!.id } });
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, firstBad: { kind: 'text', seq: 2, message: 'entry 2: its feedback row is gone' } });
    await db.prisma.studyFeedback.create({ data: { ...agree!, comment: null } });
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: true, entries: 3 });

    await db.prisma.statusChange.updateMany({ where: { to: 'dismissed' }, data: { reason: 'not needed' } });
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, entries: 2, firstBad: { kind: 'text', seq: 3, message: 'entry 3: its reason was changed' } });
  }, 60_000);

  it.skipIf(dbs.unavailable)('detects a tail cut below the newest checkpoint (library and npm run audit:verify), and signs no checkpoint after it', async () => {
    const { db, log, target, dataDir, anchor, verify } = await journal(5);
    expect(await anchor.checkpoint()).toMatchObject({ seq: 5 });
    for (let i = 6; i <= 8; i++) await log.append({ actor: null, action: 'study.viewed', details: { n: i } });
    expect(await anchor.checkpoint()).toMatchObject({ seq: 8 });
    expect(await anchor.checkpoint()).toBeUndefined(); // the head did not move: nothing written
    expect(await verify()).toMatchObject({ ok: true, status: 'anchored', checkpoints: 2, newest: { seq: 8 }, unanchored: 0 });
    expect(await auditVerifyCli(target, dataDir)).toMatchObject({ code: 0, out: { ok: true, entries: 8, anchor: { status: 'anchored', checkpoints: 2 } } });

    await tamper(db, ['DELETE FROM "AuditEvent" WHERE "seq" > 6']);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: true, entries: 6 }); // the chain alone cannot tell
    expect(await verify()).toMatchObject({ ok: false, firstBad: { kind: 'truncated', seq: 7 } });
    // The anchor does not launder the cut by signing the shorter head.
    await log.append({ actor: null, action: 'study.viewed', details: { n: 99 } });
    expect(await anchor.checkpoint()).toBeUndefined();
    // A new entry 7 was written since: the journal still ends short of the newest checkpoint (8).
    expect(await verify()).toMatchObject({ ok: false, firstBad: { kind: 'truncated', seq: 8 } });
    expect(await auditVerifyCli(target, dataDir)).toMatchObject({ code: 1, out: { ok: false, firstBadSeq: 8, kind: 'truncated' } });
  }, 60_000);

  it.skipIf(dbs.unavailable)('detects a chain changed and fully re-hashed by someone who knows the hash rule', async () => {
    const { db, anchor, verify } = await journal(6);
    await anchor.checkpoint();
    const rows = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    const statements: string[] = [];
    let prevHash = rows[1]!.prevHash;
    for (const row of rows.slice(1)) {
      const forged = { ...row, actorUsername: row.seq === 2 ? 'someone-else' : row.actorUsername, prevHash };
      const hash = hashAuditEvent(forged);
      statements.push(`UPDATE "AuditEvent" SET "actorUsername" = '${forged.actorUsername}', "prevHash" = '${prevHash}', "hash" = '${hash}' WHERE "seq" = ${row.seq}`);
      prevHash = hash;
    }
    // Highest first: the hash column is unique, and each new hash is new.
    await tamper(db, statements.reverse());
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: true, entries: 6 });
    expect(await verify()).toMatchObject({ ok: false, firstBad: { kind: 'rewritten', seq: 6 } });
  });

  it.skipIf(dbs.unavailable)('refuses a checkpoint line a database writer forged (not signed by the server key)', async () => {
    const { db, log, files, anchor, verify } = await journal(3);
    const real = (await anchor.checkpoint())!;
    await log.append({ actor: null, action: 'study.viewed', details: { n: 4 } });
    await tamper(db, ['DELETE FROM "AuditEvent" WHERE "seq" = 4']);
    // They sign with a key of their own; the file only has the server's key id by copying it.
    const other = await loadOrCreateSigningKey(join(mkdtempSync(join(tmpdir(), 'other-key-')), 'k.pem'));
    const { sign } = await import('node:crypto');
    const { checkpointMessage } = await import('./audit-anchor');
    const at = new Date().toISOString();
    const head = await db.prisma.auditEvent.findUniqueOrThrow({ where: { seq: 3 } });
    const signature = sign(null, checkpointMessage(3, head.hash, at), other.privateKey).toString('base64');
    appendFileSync(files.file, `${JSON.stringify({ seq: 3, hash: head.hash, at, keyId: real.keyId, signature })}\n`);
    expect(await verify()).toMatchObject({ ok: false, firstBad: { kind: 'checkpoint', seq: 3 } });
    appendFileSync(files.file, 'not json\n');
    expect(await verify()).toMatchObject({ ok: false, firstBad: { kind: 'checkpoint', seq: null } });
  });

  it.skipIf(dbs.unavailable)('does NOT detect entries cut after the newest checkpoint (the documented window), and says how many are unanchored', async () => {
    const { db, log, anchor, verify } = await journal(4);
    await anchor.checkpoint();
    await log.append({ actor: null, action: 'study.viewed', details: { n: 5 } });
    await log.append({ actor: null, action: 'study.viewed', details: { n: 6 } });
    expect(await verify()).toMatchObject({ ok: true, unanchored: 2 });
    await tamper(db, ['DELETE FROM "AuditEvent" WHERE "seq" = 6']);
    expect(await verify()).toMatchObject({ ok: true, unanchored: 1 });
  });
});

describe('the audit signing key', () => {
  it('is generated once, private (0600), with its public half beside it, and read back unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-key-'));
    try {
      const path = join(dir, 'audit-signing-key.pem');
      const first = await loadOrCreateSigningKey(path);
      expect(first.created).toBe(true);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(dir, 'audit-signing-key.pub.pem'), 'utf8')).toContain('BEGIN PUBLIC KEY');
      const again = await loadOrCreateSigningKey(path);
      expect(again.created).toBe(false);
      expect(again.publicKey.export({ type: 'spki', format: 'pem' })).toEqual(first.publicKey.export({ type: 'spki', format: 'pem' }));
      writeFileSync(path, 'garbage');
      await expect(loadOrCreateSigningKey(path)).rejects.toThrow(/not an Ed25519 private key/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
