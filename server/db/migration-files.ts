import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '@/lib/errors';
import type { DatabaseProvider } from './database-target';

/** One migration as `prisma migrate deploy` sees it: folder name, script, and Prisma's checksum. */
export type MigrationFile = {
  name: string;
  sql: string;
  /** SHA-256 hex of the migration.sql bytes: what Prisma stores in `_prisma_migrations.checksum`. */
  checksum: string;
};

const PRISMA_DIR = fileURLToPath(new URL('../../prisma/', import.meta.url));

/**
 * The migrations folder of each provider. Prisma ties a folder to one provider
 * (migration_lock.toml), so PostgreSQL has its own, generated beside the SQLite one.
 */
export const MIGRATIONS_DIRS: Record<DatabaseProvider, string> = {
  sqlite: path.join(PRISMA_DIR, 'migrations'),
  postgresql: path.join(PRISMA_DIR, 'postgresql', 'migrations'),
};

/** SHA-256 hex of a migration script's bytes, as Prisma computes it. */
export function migrationChecksum(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads `<dir>/<name>/migration.sql` in name order (Prisma's order: names start with a UTC
 * timestamp), after checking that migration_lock.toml names `provider`, so a PostgreSQL database is
 * never given SQLite's scripts or the reverse.
 */
export function readMigrationFiles(dir: string, provider: DatabaseProvider): MigrationFile[] {
  const lockPath = path.join(dir, 'migration_lock.toml');
  if (!existsSync(lockPath)) {
    throw new AppError('DB_MIGRATION_FAILED', `no migration_lock.toml in ${dir}`);
  }
  const locked = /^\s*provider\s*=\s*"([^"]+)"/m.exec(readFileSync(lockPath, 'utf8'))?.[1];
  if (locked !== provider) {
    throw new AppError('DB_MIGRATION_FAILED', `${lockPath} is for "${locked ?? '?'}", not ${provider}`);
  }
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(path.join(dir, name, 'migration.sql'));
      return { name, sql: bytes.toString('utf8'), checksum: migrationChecksum(bytes) };
    });
}
