import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { derivePostgresSchema, LAYOUT } from './provider-schemas';

/**
 * `npm run db:generate`: derives prisma/postgresql/schema.prisma from prisma/schema.prisma and
 * generates both Prisma clients (server/db/generated/{sqlite,postgresql}, git-ignored). Skips a
 * client whose schema and Prisma version are unchanged since the last run (`--force` regenerates),
 * so it is cheap to run before every typecheck, test and start. Needs no network: the CLI's
 * native schema engine is not used by `generate`, so PRISMA_SCHEMA_ENGINE_BINARY is pointed at
 * any existing file to stop the CLI from trying to download it.
 */
const run = promisify(execFile);
const require = createRequire(import.meta.url);
const GENERATED = path.join(path.dirname(LAYOUT.sqlite.schema), '..', 'server', 'db', 'generated');

async function main(): Promise<void> {
  const force = process.argv.includes('--force');
  const source = readFileSync(LAYOUT.sqlite.schema, 'utf8');
  const derived = derivePostgresSchema(source);
  const current = existsSync(LAYOUT.postgresql.schema) ? readFileSync(LAYOUT.postgresql.schema, 'utf8') : '';
  if (current !== derived) {
    mkdirSync(path.dirname(LAYOUT.postgresql.schema), { recursive: true });
    writeFileSync(LAYOUT.postgresql.schema, derived);
    process.stdout.write('db:generate: wrote prisma/postgresql/schema.prisma\n');
  }

  const prismaPkg = require.resolve('prisma/package.json');
  const prismaVersion = (JSON.parse(readFileSync(prismaPkg, 'utf8')) as { version: string }).version;
  const cli = path.join(path.dirname(prismaPkg), 'build', 'index.js');
  const env = {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  };
  await Promise.all(
    (['sqlite', 'postgresql'] as const).map(async (provider) => {
      const schemaPath = LAYOUT[provider].schema;
      const stamp = createHash('sha256').update(prismaVersion).update(readFileSync(schemaPath)).digest('hex');
      const stampPath = path.join(GENERATED, provider, '.stamp');
      if (!force && existsSync(stampPath) && readFileSync(stampPath, 'utf8') === stamp) return;
      await run(process.execPath, [cli, 'generate', '--schema', schemaPath, '--no-hints'], { env }).catch((err: { stderr?: string; stdout?: string }) => {
        throw new Error(`prisma generate failed for ${provider}:\n${err.stdout ?? ''}${err.stderr ?? ''}`, { cause: err });
      });
      writeFileSync(stampPath, stamp);
      process.stdout.write(`db:generate: generated the ${provider} client (Prisma ${prismaVersion})\n`);
    }),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
