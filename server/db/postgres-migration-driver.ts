import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { AppliedMigrationRow, MigrationDriver } from './migration-driver';
import type { MigrationFile } from './migration-files';

/** `_prisma_migrations` exactly as Prisma's PostgreSQL connector creates it (checked by a test). */
export const POSTGRES_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** The advisory lock key Prisma's own `migrate deploy` takes, so the two never run at once. */
export const PRISMA_ADVISORY_LOCK = 72707369;

/** pg connection settings for a URL and an optional schema (Prisma's `?schema=`). */
export function postgresClientConfig(url: string, schema: string | undefined): pg.ClientConfig {
  return schema ? { connectionString: url, options: `-c search_path="${schema}"` } : { connectionString: url };
}

/**
 * Applies migrations to PostgreSQL on one dedicated connection. Scripts go over the simple-query
 * protocol (no parameters), which runs a multi-statement script as written, function bodies
 * included, the way Prisma's engine sends them.
 */
export function createPostgresMigrationDriver(url: string, schema: string | undefined): MigrationDriver {
  const client = new pg.Client(postgresClientConfig(url, schema));
  let connected = false;
  return {
    provider: 'postgresql',
    async lock() {
      await client.connect();
      connected = true;
      // Session-level: held across the per-migration transactions below, released by unlock().
      // Taken before any DDL: `CREATE SCHEMA IF NOT EXISTS` run by two nodes at once can fail on a
      // catalog unique index.
      await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
      if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.query(POSTGRES_MIGRATIONS_TABLE);
    },
    async unlock() {
      if (connected) await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]);
    },
    async rows() {
      const result = await client.query<{ migration_name: string; checksum: string; finished: boolean; rolled_back: boolean }>(
        'SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back ' +
          'FROM "_prisma_migrations" ORDER BY started_at, id',
      );
      return result.rows.map(
        (r): AppliedMigrationRow => ({ migrationName: r.migration_name, checksum: r.checksum, finished: r.finished, rolledBack: r.rolled_back }),
      );
    },
    async apply(migration: MigrationFile) {
      // Prisma sends the script as one simple query, which PostgreSQL runs as one implicit
      // transaction; the explicit one also covers the bookkeeping row.
      await client.query('BEGIN');
      try {
        const startedAt = await client.query<{ now: Date }>('SELECT clock_timestamp() AS now');
        await client.query(migration.sql);
        await client.query(
          'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) ' +
            'VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, $4, 1)',
          [randomUUID(), migration.checksum, migration.name, startedAt.rows[0]?.now],
        );
        await client.query('COMMIT');
        return true;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    },
    async close() {
      if (connected) await client.end();
    },
  };
}
