import { defineConfig } from 'prisma/config';

/**
 * Configuration for the Prisma CLI only (`prisma generate`, and `prisma migrate deploy|status` on a
 * machine where the CLI's native engine can be downloaded). The server never reads this file: it
 * applies migrations itself (server/db/apply-migrations.ts). The layout follows DATABASE_URL the
 * way the server does: postgres:// or postgresql:// selects the derived PostgreSQL schema and its
 * migrations; anything else is the embedded SQLite database (default ./data/ich-triage.db, as with
 * the server's default DATA_DIR).
 */
const url = process.env.DATABASE_URL ?? 'file:./data/ich-triage.db';
const postgres = /^postgres(ql)?:\/\//.test(url);

export default defineConfig({
  schema: postgres ? 'prisma/postgresql/schema.prisma' : 'prisma/schema.prisma',
  migrations: { path: postgres ? 'prisma/postgresql/migrations' : 'prisma/migrations' },
  datasource: { url },
});
