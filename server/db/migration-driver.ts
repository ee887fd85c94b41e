import type { DatabaseProvider } from './database-target';
import type { MigrationFile } from './migration-files';

/** A row of Prisma's `_prisma_migrations` table, as far as the applier reads it. */
export type AppliedMigrationRow = {
  migrationName: string;
  checksum: string;
  finished: boolean;
  rolledBack: boolean;
};

/**
 * What the migration applier needs from a database: Prisma's bookkeeping table and one atomic step
 * per migration. One implementation per provider, each on its own short-lived connection, opened
 * before the Prisma client and closed after.
 */
export interface MigrationDriver {
  readonly provider: DatabaseProvider;
  /**
   * Holds off other appliers (other processes starting at the same time, or `prisma migrate
   * deploy`) until `unlock`, and creates `_prisma_migrations` exactly as Prisma does if missing.
   */
  lock(): Promise<void>;
  unlock(): Promise<void>;
  /** Every row of `_prisma_migrations`, oldest first. */
  rows(): Promise<AppliedMigrationRow[]>;
  /**
   * Runs the script and records it as finished (`applied_steps_count` 1) in one transaction; a
   * failure leaves neither. Returns false, doing nothing, when another process has applied it
   * meanwhile.
   */
  apply(migration: MigrationFile): Promise<boolean>;
  close(): Promise<void>;
}
