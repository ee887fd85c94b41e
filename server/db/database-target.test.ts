import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { resolveDatabaseTarget } from './database-target';

describe('resolveDatabaseTarget', () => {
  it('defaults to an SQLite file in the data folder', () => {
    expect(resolveDatabaseTarget({ dataDir: '/srv/data' })).toEqual({ provider: 'sqlite', url: 'file:/srv/data/ich-triage.db', file: '/srv/data/ich-triage.db' });
    expect(resolveDatabaseTarget({ databaseUrl: '  ', dataDir: '/srv/data' }).provider).toBe('sqlite');
  });

  it('takes an explicit SQLite file', () => {
    expect(resolveDatabaseTarget({ databaseUrl: 'file:./x.db', dataDir: '/srv' })).toMatchObject({ provider: 'sqlite', file: path.resolve('x.db') });
    expect(resolveDatabaseTarget({ databaseUrl: 'file:///var/db/x.db', dataDir: '/srv' })).toMatchObject({ file: '/var/db/x.db' });
  });

  it("selects PostgreSQL and turns Prisma's ?schema= into a schema name", () => {
    expect(resolveDatabaseTarget({ databaseUrl: 'postgresql://u:p@db:5432/ich?schema=triage&sslmode=require', dataDir: '/srv' })).toEqual({
      provider: 'postgresql',
      url: 'postgresql://u:p@db:5432/ich?sslmode=require',
      schema: 'triage',
    });
    expect(resolveDatabaseTarget({ databaseUrl: 'postgres://db/ich', dataDir: '/srv' })).toMatchObject({ provider: 'postgresql', schema: undefined });
  });

  it('refuses other URLs and odd schema names without echoing the URL', () => {
    for (const databaseUrl of ['mysql://u:secret@db/x', 'postgresql://u:secret@db/x?schema=a;drop']) {
      let err: unknown;
      try {
        resolveDatabaseTarget({ databaseUrl, dataDir: '/srv' });
      } catch (e) {
        err = e;
      }
      expect(isAppError(err, 'CONFIG_INVALID')).toBe(true);
      expect(String((err as Error).message)).not.toContain('secret');
    }
  });
});
