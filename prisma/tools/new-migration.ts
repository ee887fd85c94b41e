import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPostgres } from '../../test/support/postgres-server';
import { derivePostgresSchema, LAYOUT, migrationLock } from './provider-schemas';
import { diffMigrationsToSchema, engineAdapterFactory, type Provider } from './schema-engine';

/**
 * `npm run db:migration -- <name>`: what `prisma migrate dev --create-only` does, for both
 * providers at once and without the CLI's native engine. For each provider the wasm schema engine
 * replays the existing migrations on a throwaway shadow database (an in-memory SQLite database; a
 * throwaway PostgreSQL cluster) and diffs the result against the schema; a non-empty diff becomes
 * `<timestamp>_<name>/migration.sql` in that provider's folder, with the same timestamp for both.
 * Review the SQL before committing it: it is applied as written.
 */
async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    throw new Error('usage: npm run db:migration -- <name>   (lower-case letters, digits and _)');
  }
  const source = readFileSync(LAYOUT.sqlite.schema, 'utf8');
  const schemas: Record<Provider, string> = { sqlite: source, postgresql: derivePostgresSchema(source) };
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = mkdtempSync(path.join(tmpdir(), 'ich-migration-'));
  const postgres = await startPostgres();
  try {
    const urls: Record<Provider, string> = { sqlite: `file:${path.join(dir, 'main.db')}`, postgresql: postgres.url };
    for (const provider of ['sqlite', 'postgresql'] as const) {
      const { migrations } = LAYOUT[provider];
      mkdirSync(migrations, { recursive: true });
      const lock = path.join(migrations, 'migration_lock.toml');
      if (!existsSync(lock)) writeFileSync(lock, migrationLock(provider));
      const sql = await diffMigrationsToSchema(schemas[provider], migrations, engineAdapterFactory(provider, urls[provider]));
      if (!sql) {
        process.stdout.write(`${provider}: the migrations already match the schema; nothing written\n`);
        continue;
      }
      const target = path.join(migrations, `${stamp}_${name}`);
      mkdirSync(target);
      writeFileSync(path.join(target, 'migration.sql'), sql);
      process.stdout.write(`${provider}: wrote ${path.relative(process.cwd(), target)}/migration.sql\n`);
    }
  } finally {
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
