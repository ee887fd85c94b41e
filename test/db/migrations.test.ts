import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { MIGRATIONS_DIRS, migrationChecksum, openDatabase, readMigrationFiles, type Database } from '@/server/db';
import { SQLITE_MIGRATIONS_TABLE } from '@/server/db/sqlite-migration-driver';
import { deployWithEngine, diagnoseMigrationHistory, engineAdapterFactory } from '@/prisma/tools/schema-engine';
import { LAYOUT } from '@/prisma/tools/provider-schemas';
import { allTestDatabases, memoryLog, type TestDatabase } from '../support/test-databases';

const run = promisify(execFile);

type MigrationRow = {
  id: string;
  checksum: string;
  finished_at: unknown;
  migration_name: string;
  logs: string | null;
  rolled_back_at: unknown;
  started_at: unknown;
  applied_steps_count: number | bigint;
};

const migrationRows = (db: Database) =>
  db.prisma.$queryRawUnsafe<MigrationRow[]>('SELECT * FROM "_prisma_migrations" ORDER BY migration_name');

/** `_prisma_migrations`' definition as the database reports it, comparable across creators. */
async function migrationsTableShape(db: Database): Promise<unknown> {
  if (db.provider === 'sqlite') {
    const [row] = await db.prisma.$queryRawUnsafe<{ sql: string }[]>(`SELECT sql FROM sqlite_master WHERE name = '_prisma_migrations'`);
    return row?.sql;
  }
  return db.prisma.$queryRawUnsafe(
    `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
       FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
  );
}

describe.each(allTestDatabases())('migrations on $provider', (dbs) => {
  const open: Database[] = [];
  const openDb = async (t: TestDatabase, extra: { migrationsDir?: string } = {}) => {
    const db = await openDatabase({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, log: memoryLog(), ...extra });
    open.push(db);
    return db;
  };
  const files = readMigrationFiles(MIGRATIONS_DIRS[dbs.provider], dbs.provider);
  const schema = () => readFileSync(LAYOUT[dbs.provider].schema, 'utf8');

  beforeAll(async () => {
    if (dbs.unavailable) return;
    await dbs.start();
    process.stdout.write(`${dbs.provider}: test server started in ${dbs.startMs()} ms\n`);
  }, 60_000);
  afterAll(async () => {
    for (const db of open.splice(0)) await db.close();
    await dbs.stop();
  });

  it.skipIf(dbs.unavailable)('applies every migration to an empty database, and none on restart', async () => {
    const t = await dbs.fresh();
    const first = await openDb(t);
    expect(first.provider).toBe(dbs.provider);
    expect(first.migrations.applied).toEqual(files.map((f) => f.name));
    expect(first.migrations.alreadyApplied).toBe(0);
    process.stdout.write(`${dbs.provider}: ${files.length} migration(s) applied from empty in ${first.migrations.ms} ms\n`);
    await first.close();
    open.pop();

    const again = await openDb(t);
    expect(again.migrations.applied).toEqual([]);
    expect(again.migrations.alreadyApplied).toBe(files.length);
    expect(await again.prisma.study.count()).toBe(0);
  });

  it.skipIf(dbs.unavailable)('records each migration in _prisma_migrations the way prisma migrate deploy does', async () => {
    const db = await openDb(await dbs.fresh());
    const rows = await migrationRows(db);
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, row] of rows.entries()) {
      const file = readFileSync(path.join(MIGRATIONS_DIRS[dbs.provider], row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(migrationChecksum(file));
      expect(row.checksum).toBe(files[i]?.checksum);
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.finished_at).not.toBeNull();
      expect(row.started_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(Number(row.applied_steps_count)).toBe(1);
    }
  });

  it.skipIf(dbs.unavailable)("is read by Prisma's own engine as up to date, with the same bookkeeping table", async () => {
    const ours = await dbs.fresh();
    const db = await openDb(ours);
    const dir = MIGRATIONS_DIRS[dbs.provider];
    // `prisma migrate status`: no pending, failed or edited migration.
    const status = await diagnoseMigrationHistory(schema(), dir, engineAdapterFactory(dbs.provider, ours.url));
    expect(status).toMatchObject({ history: null, failedMigrationNames: [], editedMigrationNames: [], hasMigrationsTable: true });
    // `prisma migrate deploy`: nothing left to do.
    expect(await deployWithEngine(schema(), dir, engineAdapterFactory(dbs.provider, ours.url))).toEqual([]);

    // The engine's own deploy into an empty database creates the same _prisma_migrations table.
    const theirs = await dbs.fresh();
    expect(await deployWithEngine(schema(), dir, engineAdapterFactory(dbs.provider, theirs.url))).toEqual(files.map((f) => f.name));
    const engineDb = await openDb(theirs);
    expect(engineDb.migrations.applied).toEqual([]);
    expect(await migrationsTableShape(db)).toEqual(await migrationsTableShape(engineDb));
    if (dbs.provider === 'sqlite') expect(await migrationsTableShape(db)).toBe(SQLITE_MIGRATIONS_TABLE);
    const engineRows = await migrationRows(engineDb);
    expect(engineRows.map((r) => [r.migration_name, r.checksum, Number(r.applied_steps_count), r.logs])).toEqual(
      (await migrationRows(db)).map((r) => [r.migration_name, r.checksum, Number(r.applied_steps_count), r.logs]),
    );
  });

  it.skipIf(dbs.unavailable)('applies each migration once when several processes start together', async () => {
    const t = await dbs.fresh();
    const child = path.join(import.meta.dirname, '../support/open-database-child.ts');
    const outputs = await Promise.all(
      [1, 2, 3].map(() => run(process.execPath, ['--import', 'tsx', child, t.databaseUrl ?? '', t.dataDir]).then((r) => JSON.parse(r.stdout) as string[])),
    );
    // Each migration is applied by exactly one of them. Which one applies which depends on who
    // takes the lock first (one process may apply the first migration and another the rest), so
    // the per-process lists, concatenated in process order, need not be in file order.
    expect([...outputs.flat()].sort()).toEqual(files.map((f) => f.name).sort());
    const rows = await migrationRows(await openDb(t));
    expect(rows).toHaveLength(files.length);
    expect(rows.map((r) => r.migration_name).sort()).toEqual(files.map((f) => f.name).sort());
  }, 60_000);

  it.skipIf(dbs.unavailable)('rolls a failing migration back completely and retries it on the next start', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ich-migrations-'));
    try {
      cpSync(MIGRATIONS_DIRS[dbs.provider], dir, { recursive: true });
      const bad = path.join(dir, '29990101000000_bad');
      mkdirSync(bad);
      // The first statement succeeds, the second fails: neither may remain.
      writeFileSync(path.join(bad, 'migration.sql'), 'CREATE TABLE "Half" ("id" INTEGER);\nINSERT INTO "NoSuchTable" VALUES (1);\n');
      const t = await dbs.fresh();
      const err = await openDatabase({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, log: memoryLog(), migrationsDir: dir }).catch((e: unknown) => e);
      expect(isAppError(err, 'DB_MIGRATION_FAILED')).toBe(true);
      expect(String((err as Error).message)).toContain('29990101000000_bad');

      writeFileSync(path.join(bad, 'migration.sql'), 'CREATE TABLE "Half" ("id" INTEGER);\n');
      const db = await openDb(t, { migrationsDir: dir });
      expect(db.migrations.applied).toEqual(['29990101000000_bad']);
      expect((await migrationRows(db)).map((r) => r.migration_name)).toEqual([...files.map((f) => f.name), '29990101000000_bad']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(dbs.unavailable)('refuses to start past a migration that failed under prisma migrate deploy', async () => {
    const t = await dbs.fresh();
    const db = await openDb(t);
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ('00000000-0000-4000-8000-000000000000', 'x', '29990101000000_broken', CURRENT_TIMESTAMP, 0)`,
    );
    const err = await openDatabase({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, log: memoryLog() }).catch((e: unknown) => e);
    expect(isAppError(err, 'DB_MIGRATION_BLOCKED')).toBe(true);
    // `prisma migrate resolve --rolled-back` sets rolled_back_at; then the start goes on.
    await db.prisma.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET rolled_back_at = CURRENT_TIMESTAMP WHERE migration_name = '29990101000000_broken'`);
    await expect(openDb(t)).resolves.toMatchObject({ migrations: { applied: [] } });
  });

  it.skipIf(dbs.unavailable)('warns about an applied migration whose file was edited afterwards', async () => {
    const t = await dbs.fresh();
    await openDb(t);
    const dir = mkdtempSync(path.join(tmpdir(), 'ich-migrations-'));
    try {
      cpSync(MIGRATIONS_DIRS[dbs.provider], dir, { recursive: true });
      const first = files[0]!.name;
      writeFileSync(path.join(dir, first, 'migration.sql'), `${files[0]!.sql}\n-- edited\n`);
      const log = memoryLog();
      open.push(await openDatabase({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, log, migrationsDir: dir }));
      expect(log.lines.some((l) => l.level === 'warn' && JSON.stringify(l.obj).includes(first))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
