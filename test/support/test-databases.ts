import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DatabaseProvider } from '@/server/db';
import { findPostgresBin, startPostgres, type PostgresServer } from './postgres-server';

/** One empty database for one test, in whichever provider. */
export type TestDatabase = {
  provider: DatabaseProvider;
  /** What openDatabase takes: unset for SQLite (the file goes in dataDir). */
  databaseUrl: string | undefined;
  dataDir: string;
  /** A URL the schema-engine adapters take (file:… for SQLite). */
  url: string;
};

/** Fresh empty databases of one provider; `stop()` removes all of them. */
export type TestDatabases = {
  provider: DatabaseProvider;
  /** Why this provider cannot run here, or null. */
  unavailable: string | null;
  start(): Promise<void>;
  fresh(): Promise<TestDatabase>;
  stop(): Promise<void>;
  /** Start-up time of the PostgreSQL server in ms (0 for SQLite). */
  startMs(): number;
};

/** SQLite: a new temp folder per database. */
export function sqliteDatabases(): TestDatabases {
  const dirs: string[] = [];
  return {
    provider: 'sqlite',
    unavailable: null,
    async start() {},
    async fresh() {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'ich-db-'));
      dirs.push(dataDir);
      return { provider: 'sqlite', databaseUrl: undefined, dataDir, url: `file:${path.join(dataDir, 'ich-triage.db')}` };
    },
    async stop() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
    startMs: () => 0,
  };
}

/**
 * PostgreSQL: one throwaway cluster (test/support/postgres-server.ts) per test file, a new
 * database in it per test. Unavailable, with the reason, when no PostgreSQL binaries are installed.
 */
export function postgresDatabases(): TestDatabases {
  const binDir = findPostgresBin();
  let server: PostgresServer | undefined;
  let count = 0;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ich-db-pg-'));
  const unavailable = binDir ? null : 'PostgreSQL server binaries not found (apt-get install postgresql-15, or set PG_BIN_DIR)';
  if (unavailable) console.warn(`skipping the PostgreSQL half of this suite: ${unavailable}`);
  return {
    provider: 'postgresql',
    unavailable,
    async start() {
      server = await startPostgres(binDir);
    },
    async fresh() {
      if (!server) throw new Error('postgresDatabases: start() first');
      const name = `t${process.pid}_${++count}`;
      const admin = new pg.Client(server.url);
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${name}"`);
      } finally {
        await admin.end();
      }
      const url = server.url.replace(/\/postgres$/, `/${name}`);
      return { provider: 'postgresql', databaseUrl: url, dataDir, url };
    },
    async stop() {
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    startMs: () => server?.startMs ?? 0,
  };
}

/** Both providers, SQLite first, for `describe.each`. */
export function allTestDatabases(): TestDatabases[] {
  return [sqliteDatabases(), postgresDatabases()];
}

/** A logger that keeps what it was told, for assertions. */
export function memoryLog() {
  const lines: { level: 'info' | 'warn'; obj: object; msg: string }[] = [];
  return {
    lines,
    info: (obj: object, msg: string) => void lines.push({ level: 'info', obj, msg }),
    warn: (obj: object, msg: string) => void lines.push({ level: 'warn', obj, msg }),
  };
}
