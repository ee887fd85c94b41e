import { randomUUID } from 'node:crypto';
import { createClient, type Client } from '@libsql/client';
import type { AppliedMigrationRow, MigrationDriver } from './migration-driver';
import type { MigrationFile } from './migration-files';

/** `_prisma_migrations` exactly as Prisma's SQLite connector creates it (checked by a test). */
export const SQLITE_MIGRATIONS_TABLE = `CREATE TABLE "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

/** Timestamps as Prisma writes them into SQLite's `_prisma_migrations`: 2026-11-23T10:58:32.220+00:00. */
const prismaTimestamp = () => new Date().toISOString().replace('Z', '+00:00');

/**
 * Applies migrations to an SQLite file through libsql (prebuilt binaries, nothing compiled), each
 * in a write transaction that also records it.
 */
export function createSqliteMigrationDriver(url: string, busyTimeoutMs: number): MigrationDriver {
  const client: Client = createClient({ url, timeout: busyTimeoutMs });
  return {
    provider: 'sqlite',
    async lock() {
      // WAL lets readers carry on while one writer commits; it is stored in the file, so every
      // later connection (the Prisma client's included) uses it too.
      await client.execute('PRAGMA journal_mode = WAL');
      const exists = await client.execute(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`);
      if (exists.rows.length === 0) await client.execute(SQLITE_MIGRATIONS_TABLE.replace('CREATE TABLE', 'CREATE TABLE IF NOT EXISTS'));
    },
    // SQLite has no session lock; each step takes the write lock (BEGIN IMMEDIATE) and re-checks.
    async unlock() {},
    async rows() {
      const result = await client.execute(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at, rowid',
      );
      return result.rows.map(
        (r): AppliedMigrationRow => ({
          migrationName: String(r.migration_name),
          checksum: String(r.checksum),
          finished: r.finished_at !== null,
          rolledBack: r.rolled_back_at !== null,
        }),
      );
    },
    async apply(migration: MigrationFile) {
      // Prisma's SQLite scripts rebuild tables (create new, copy, drop old, rename). With foreign
      // keys on, DROP TABLE would first delete every row and fire ON DELETE CASCADE into the child
      // tables, and the script's own `PRAGMA foreign_keys=OFF` is ignored inside a transaction; so
      // switch them off on this connection before BEGIN, and check the result before COMMIT.
      // `transaction()` takes over the client's current connection (the one the PRAGMA ran on) and
      // closes it afterwards; later calls get a fresh connection with libsql's default, keys on.
      await client.execute('PRAGMA foreign_keys = OFF');
      const tx = await client.transaction('write'); // BEGIN IMMEDIATE: the database write lock
      try {
        const done = await tx.execute({
          sql: 'SELECT 1 FROM "_prisma_migrations" WHERE migration_name = ? AND finished_at IS NOT NULL AND rolled_back_at IS NULL',
          args: [migration.name],
        });
        if (done.rows.length > 0) return false;
        const startedAt = prismaTimestamp();
        await tx.executeMultiple(migration.sql);
        const violations = await tx.execute('PRAGMA foreign_key_check');
        if (violations.rows.length > 0) {
          throw new Error(`foreign key violations after the script, first in table ${String(violations.rows[0]?.table)}`);
        }
        await tx.execute({
          sql:
            'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) ' +
            'VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)',
          args: [randomUUID(), migration.checksum, prismaTimestamp(), migration.name, startedAt],
        });
        await tx.commit();
        return true;
      } finally {
        // Rolls back whatever was not committed, and closes the connection.
        tx.close();
      }
    },
    async close() {
      client.close();
    },
  };
}
