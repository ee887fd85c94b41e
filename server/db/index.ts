export { openDatabase, type Database, type DatabaseConfig } from './open-database';
export { resolveDatabaseTarget, SQLITE_FILE_NAME, type DatabaseProvider, type DatabaseTarget } from './database-target';
export { applyMigrations, type DbLog, type MigrationReport } from './apply-migrations';
export { MIGRATIONS_DIRS, readMigrationFiles, migrationChecksum, type MigrationFile } from './migration-files';
export { WORKLIST_ORDER_BY, WORKLIST_ACTIVE_STATUSES } from './worklist-order';
export type { DbClient } from './db-client';
export * from './db-client';
