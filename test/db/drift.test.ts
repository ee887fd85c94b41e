import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivePostgresSchema, LAYOUT } from '@/prisma/tools/provider-schemas';
import { diffMigrationsToSchema, engineAdapterFactory } from '@/prisma/tools/schema-engine';
import { allTestDatabases } from '../support/test-databases';

const source = () => readFileSync(LAYOUT.sqlite.schema, 'utf8');
const migrationNames = (dir: string) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

describe('schema files', () => {
  it('prisma/postgresql/schema.prisma is derived from prisma/schema.prisma (run npm run db:generate)', () => {
    expect(readFileSync(LAYOUT.postgresql.schema, 'utf8')).toBe(derivePostgresSchema(source()));
  });

  it('both providers have the same migrations, so one schema change is one migration on each', () => {
    expect(migrationNames(LAYOUT.postgresql.migrations)).toEqual(migrationNames(LAYOUT.sqlite.migrations));
  });
});

/**
 * The drift check: Prisma's schema engine (compiled to WebAssembly) replays the migrations on a
 * shadow database and diffs the result against the schema, exactly like `prisma migrate diff
 * --from-migrations --to-schema`. Any difference means a schema change without its migration (or
 * an edited migration); `npm run db:migration -- <name>` writes the missing one.
 */
describe.each(allTestDatabases())('drift between schema and migrations on $provider', (dbs) => {
  const schema = () => (dbs.provider === 'sqlite' ? source() : derivePostgresSchema(source()));
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ich-drift-'));
    if (!dbs.unavailable) await dbs.start();
  }, 60_000);
  afterAll(async () => {
    await dbs.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const shadowUrl = async () => (dbs.provider === 'sqlite' ? `file:${path.join(dir, 'drift.db')}` : (await dbs.fresh()).url);

  it.skipIf(dbs.unavailable)('the migrations produce exactly the schema', async () => {
    const sql = await diffMigrationsToSchema(schema(), LAYOUT[dbs.provider].migrations, engineAdapterFactory(dbs.provider, await shadowUrl()));
    expect(sql, `schema.prisma and the ${dbs.provider} migrations differ; the missing migration would be:\n${sql}`).toBe('');
  });

  it.skipIf(dbs.unavailable)('a schema change without a migration is caught (the check can fail)', async () => {
    const changed = schema().replace(/(model Instance \{\n)/, '$1  addedWithoutMigration String?\n');
    expect(changed).not.toBe(schema());
    const sql = await diffMigrationsToSchema(changed, LAYOUT[dbs.provider].migrations, engineAdapterFactory(dbs.provider, await shadowUrl()));
    expect(sql).toContain('addedWithoutMigration');
  });
});
