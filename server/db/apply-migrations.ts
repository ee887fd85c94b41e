import { AppError } from '@/lib/errors';
import type { MigrationDriver } from './migration-driver';
import type { MigrationFile } from './migration-files';

/** The part of the logger the database code uses (a pino Logger fits). */
export type DbLog = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
};

export type MigrationReport = {
  /** Migrations applied by this call, in order. */
  applied: string[];
  /** Migrations already applied before this call. */
  alreadyApplied: number;
  ms: number;
};

/**
 * `prisma migrate deploy` without Prisma's native engine: applies the migrations not yet recorded in
 * `_prisma_migrations`, in name order, each in its own transaction, writing the same rows Prisma
 * writes (so Prisma, on a machine that has its engine, reads the database as up to date).
 * Like Prisma it refuses to go on past a migration that failed under Prisma and was never resolved,
 * and only warns about an applied migration whose file has since changed or disappeared. Unlike
 * Prisma, a failing script leaves no row behind: its transaction rolled back, so the next start
 * simply tries again.
 */
export async function applyMigrations(driver: MigrationDriver, files: MigrationFile[], log: DbLog): Promise<MigrationReport> {
  const started = performance.now();
  await driver.lock();
  try {
    const rows = await driver.rows();
    const failed = rows.filter((r) => !r.finished && !r.rolledBack).map((r) => r.migrationName);
    if (failed.length > 0) {
      throw new AppError(
        'DB_MIGRATION_BLOCKED',
        `migration ${failed.join(', ')} failed earlier and is unresolved: repair the database, then mark it with ` +
          '`prisma migrate resolve --rolled-back <name>` (or set rolled_back_at on its _prisma_migrations row)',
        { migrations: failed },
      );
    }
    const applied = new Map(rows.filter((r) => r.finished && !r.rolledBack).map((r) => [r.migrationName, r.checksum]));
    const known = new Set(files.map((f) => f.name));
    for (const file of files) {
      const checksum = applied.get(file.name);
      if (checksum !== undefined && checksum !== file.checksum) {
        log.warn({ migration: file.name }, 'an applied migration was edited after it was applied; the edit is not applied');
      }
    }
    const unknown = [...applied.keys()].filter((name) => !known.has(name));
    if (unknown.length > 0) {
      log.warn({ migrations: unknown }, 'the database has migrations this version does not know (is it older than the database?)');
    }

    const done: string[] = [];
    for (const file of files.filter((f) => !applied.has(f.name))) {
      const t0 = performance.now();
      let appliedHere: boolean;
      try {
        appliedHere = await driver.apply(file);
      } catch (err) {
        throw new AppError('DB_MIGRATION_FAILED', `migration ${file.name} failed and was rolled back: ${errorMessage(err)}`, { migration: file.name }, { cause: err });
      }
      // false: another process applied it while we waited for the write lock.
      if (appliedHere) {
        done.push(file.name);
        log.info({ migration: file.name, ms: Math.round(performance.now() - t0) }, 'migration applied');
      }
    }
    return { applied: done, alreadyApplied: applied.size, ms: Math.round(performance.now() - started) };
  } finally {
    await driver.unlock().catch(() => undefined);
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
