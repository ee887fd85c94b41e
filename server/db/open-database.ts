import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaLibSql } from '@prisma/adapter-libsql';
import { PrismaPg } from '@prisma/adapter-pg';
import { applyMigrations, type DbLog, type MigrationReport } from './apply-migrations';
import { resolveDatabaseTarget, type DatabaseProvider } from './database-target';
import type { DbClient } from './db-client';
import { PrismaClient as PostgresPrismaClient } from './generated/postgresql/client';
import { PrismaClient as SqlitePrismaClient } from './generated/sqlite/client';
import { MIGRATIONS_DIRS, readMigrationFiles } from './migration-files';
import { createPostgresMigrationDriver, postgresClientConfig } from './postgres-migration-driver';
import { createSqliteMigrationDriver } from './sqlite-migration-driver';

export type DatabaseConfig = {
  /** postgresql://… selects PostgreSQL, file:… an SQLite file; unset: `<dataDir>/ich-triage.db`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  log: DbLog;
  /** Overrides the provider's migrations folder (tests). */
  migrationsDir?: string;
  /** SQLite: how long a writer waits for the file lock before failing. */
  busyTimeoutMs?: number;
  /** PostgreSQL: connections in the pool. */
  poolSize?: number;
};

/** An open database with its schema up to date. */
export type Database = {
  prisma: DbClient;
  provider: DatabaseProvider;
  migrations: MigrationReport;
  /** Disconnects the client and ends its pool (an open pg pool keeps the process alive). */
  close(): Promise<void>;
};

/**
 * Opens the configured database: applies pending migrations on a separate short-lived connection
 * (server/db/apply-migrations.ts), then returns a Prisma client through the provider's driver
 * adapter. Call once per process, from the composition root.
 */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  const target = resolveDatabaseTarget(config);
  const busyTimeoutMs = config.busyTimeoutMs ?? 5000;
  const files = readMigrationFiles(config.migrationsDir ?? MIGRATIONS_DIRS[target.provider], target.provider);

  if (target.provider === 'sqlite') mkdirSync(path.dirname(target.file), { recursive: true });
  const driver =
    target.provider === 'sqlite'
      ? createSqliteMigrationDriver(target.url, busyTimeoutMs)
      : createPostgresMigrationDriver(target.url, target.schema);
  let migrations: MigrationReport;
  try {
    migrations = await applyMigrations(driver, files, config.log);
  } finally {
    await driver.close();
  }
  config.log.info(
    { provider: target.provider, applied: migrations.applied.length, alreadyApplied: migrations.alreadyApplied, ms: migrations.ms },
    'database ready',
  );

  const prisma: DbClient =
    target.provider === 'sqlite'
      ? new SqlitePrismaClient({ adapter: new PrismaLibSql({ url: target.url, timeout: busyTimeoutMs }) })
      : // Same models, other provider: see db-client.ts for why one type serves both.
        (new PostgresPrismaClient({
          adapter: new PrismaPg({ ...postgresClientConfig(target.url, target.schema), max: config.poolSize ?? 10 }, target.schema ? { schema: target.schema } : undefined),
        }) as unknown as DbClient);
  await prisma.$connect();
  return {
    prisma,
    provider: target.provider,
    migrations,
    close: () => prisma.$disconnect(),
  };
}
