import path from 'node:path';
import { AppError } from '@/lib/errors';

/** Which database to open, resolved from the configuration. */
export type DatabaseTarget =
  | { provider: 'sqlite'; url: string; file: string }
  | { provider: 'postgresql'; url: string; schema: string | undefined };

export type DatabaseProvider = DatabaseTarget['provider'];

/** File name of the embedded database inside DATA_DIR. */
export const SQLITE_FILE_NAME = 'ich-triage.db';

/**
 * DATABASE_URL selects PostgreSQL (postgres:// or postgresql://, with Prisma's optional `?schema=`)
 * or an SQLite file (file:...); without it the embedded SQLite database lives in `dataDir`.
 */
export function resolveDatabaseTarget(config: { databaseUrl?: string | undefined; dataDir: string }): DatabaseTarget {
  const url = config.databaseUrl?.trim();
  if (!url) {
    const file = path.resolve(config.dataDir, SQLITE_FILE_NAME);
    return { provider: 'sqlite', url: `file:${file}`, file };
  }
  if (/^postgres(ql)?:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (err) {
      // The URL carries a password: never echo it.
      throw new AppError('CONFIG_INVALID', 'DATABASE_URL is not a valid PostgreSQL URL', undefined, { cause: err });
    }
    const schema = parsed.searchParams.get('schema') ?? undefined;
    if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
      throw new AppError('CONFIG_INVALID', 'DATABASE_URL ?schema= must be a plain identifier');
    }
    // pg does not know Prisma's `schema` parameter; it becomes the search_path instead.
    parsed.searchParams.delete('schema');
    return { provider: 'postgresql', url: parsed.toString(), schema };
  }
  if (url.startsWith('file:')) {
    // Relative to the working directory, as the server's own paths are.
    const file = path.resolve(url.slice('file:'.length).replace(/^\/\//, ''));
    return { provider: 'sqlite', url: `file:${file}`, file };
  }
  throw new AppError('CONFIG_INVALID', 'DATABASE_URL must start with postgresql://, postgres:// or file:');
}
