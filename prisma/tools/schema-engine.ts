import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  mockAdapter,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
} from '@prisma/driver-adapter-utils';
import type * as Wasm from '@prisma/schema-engine-wasm';
import { PrismaLibSql } from '@prisma/adapter-libsql';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';

/**
 * Prisma's schema engine compiled to WebAssembly, for development and tests only (it is a
 * devDependency; the server never imports this file). The CLI's native engine cannot be downloaded
 * here, so this is how migrations are generated and drift is checked. The package is an internal
 * Prisma API: its version is pinned exactly in package.json.
 */

export type Provider = 'sqlite' | 'postgresql';

type EngineModule = typeof Wasm;
let modulePromise: Promise<EngineModule> | undefined;

/** Loads the wasm module once per process; Node 20 cannot `import` a .wasm file, so we instantiate it. */
function loadModule(): Promise<EngineModule> {
  modulePromise ??= (async () => {
    const require = createRequire(import.meta.url);
    const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bg = (await import(bgPath)) as EngineModule & { __wbg_set_wasm(exports: unknown): void };
    const bytes = readFileSync(path.join(path.dirname(bgPath), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    return bg;
  })();
  return modulePromise;
}

/**
 * An adapter that answers only the version probe the PostgreSQL engine sends when it starts, so
 * that diffs between two schema files need no database at all.
 */
function offlineAdapterFactory(provider: Provider): SqlMigrationAwareDriverAdapterFactory {
  const adapterProvider = provider === 'postgresql' ? 'postgres' : 'sqlite';
  const connect = async (): Promise<SqlDriverAdapter> => {
    const base = mockAdapter(adapterProvider);
    return {
      ...base,
      adapterName: provider === 'postgresql' ? '@prisma/adapter-pg' : '@prisma/adapter-libsql',
      getConnectionInfo: () => ({ schemaName: provider === 'postgresql' ? 'public' : undefined, supportsRelationJoins: false }),
      async queryRaw(query: SqlQuery) {
        if (query.sql.includes('server_version_num')) {
          return {
            columnNames: ['exists', 'version', 'numeric_version'],
            columnTypes: [ColumnTypeEnum.Boolean, ColumnTypeEnum.Text, ColumnTypeEnum.Int32],
            rows: [[true, 'PostgreSQL 15', 150000]],
          };
        }
        throw new Error(`offline schema engine: no database for ${query.sql.slice(0, 60)}`);
      },
    };
  };
  return { provider: adapterProvider, adapterName: '@prisma/adapter-mock', connect, connectToShadowDb: connect };
}

/** A migrations folder in the shape the engine reads (what the CLI builds from disk). */
export function readMigrationList(dir: string) {
  const lockPath = path.join(dir, 'migration_lock.toml');
  const names = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'migration.sql')))
        .map((d) => d.name)
        .sort()
    : [];
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: names.map((name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: readFileSync(path.join(dir, name, 'migration.sql'), 'utf8') },
      },
    })),
  };
}

/**
 * pg client that reports PostgreSQL's one-byte `"char"` type (OID 18) as text: the engine's
 * introspection reads catalog columns of that type, which @prisma/adapter-pg 7.10 refuses to map.
 */
class CharAsTextClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg.Client#query has a dozen overloads
  override query(...args: any[]): any {
    const patch = (res: pg.QueryResult | undefined) => {
      for (const field of res?.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
      return res;
    };
    const last: unknown = args.at(-1);
    if (typeof last === 'function') {
      // pg-pool passes a callback.
      args[args.length - 1] = (err: unknown, res: pg.QueryResult) => (last as (e: unknown, r: unknown) => void)(err, patch(res));
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const result = (super.query as (...a: any[]) => any)(...args);
    return result && typeof result.then === 'function' ? result.then(patch) : result;
  }
}

/**
 * Makes an adapter run whole migration scripts the way the native engine does. The engine sends a
 * script as one parameterless `executeRaw` (SQLite; libsql would run only the first statement) or
 * as `executeScript` (PostgreSQL; adapter-pg 7.10 splits it on every ";", breaking comments and
 * function bodies). SQLite: route parameterless `executeRaw` to libsql's `executeScript`, which
 * runs every statement. PostgreSQL: route `executeScript` to a parameterless `executeRaw`, which pg
 * sends over the simple-query protocol as one multi-statement script. `onDispose` runs last.
 */
function scriptAware(adapter: SqlDriverAdapter, provider: Provider, onDispose?: () => Promise<void>): SqlDriverAdapter {
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      if (prop === 'executeRaw' && provider === 'sqlite') {
        return async (query: SqlQuery) => {
          if (query.args.length > 0) return target.executeRaw(query);
          await target.executeScript(query.sql);
          return 0;
        };
      }
      if (prop === 'executeScript' && provider === 'postgresql') {
        return async (script: string) => {
          await target.executeRaw({ sql: script, args: [], argTypes: [] });
        };
      }
      if (prop === 'dispose' && onDispose) {
        return async () => {
          await target.dispose();
          await onDispose();
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** An adapter factory for the engine, with `close()` to release every connection it opened. */
export type EngineAdapterFactory = SqlMigrationAwareDriverAdapterFactory & { close(): Promise<void> };

/**
 * An adapter factory the engine can migrate and introspect with: SQLite through libsql (`url` like
 * `file:/tmp/x.db`; the shadow database is in memory), PostgreSQL through pg (the shadow database
 * is created beside the main one and dropped afterwards, so the role needs CREATEDB).
 */
export function engineAdapterFactory(provider: Provider, url: string): EngineAdapterFactory {
  const opened: SqlDriverAdapter[] = [];
  const track = <T extends SqlDriverAdapter>(adapter: T): T => (opened.push(adapter), adapter);
  const close = async () => {
    for (const adapter of opened.splice(0)) await adapter.dispose().catch(() => undefined);
  };
  if (provider === 'sqlite') {
    const factory = new PrismaLibSql({ url });
    return {
      provider: 'sqlite',
      adapterName: factory.adapterName,
      connect: async () => track(scriptAware(await factory.connect(), 'sqlite')),
      connectToShadowDb: async () => track(scriptAware(await factory.connectToShadowDb(), 'sqlite')),
      close,
    };
  }
  const u = new URL(url);
  const config: pg.ClientConfig = {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  };
  const factory = new PrismaPg({ ...config, Client: CharAsTextClient });
  return {
    provider: 'postgres',
    adapterName: factory.adapterName,
    connect: async () => track(scriptAware(await factory.connect(), 'postgresql')),
    // Not the adapter's own connectToShadowDb: 7.10 drops the shadow database before closing its
    // pool, which PostgreSQL refuses while the pool is connected.
    async connectToShadowDb() {
      const name = `prisma_shadow_${randomUUID().replaceAll('-', '')}`;
      const admin = new pg.Client(config);
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      const shadow = await new PrismaPg({ ...config, database: name, Client: CharAsTextClient }).connect();
      return track(
        scriptAware(shadow, 'postgresql', async () => {
          await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
          await admin.end();
        }),
      );
    },
    close,
  };
}

const noFilters = { externalTables: [], externalEnums: [] };

/** Runs `fn` with an engine for `schema`; the engine is freed afterwards. */
async function withEngine<T>(
  schema: string,
  factory: SqlMigrationAwareDriverAdapterFactory & { close?(): Promise<void> },
  fn: (engine: Wasm.SchemaEngine) => Promise<T>,
): Promise<T> {
  const wasm = await loadModule();
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  const engine = await wasm.SchemaEngine.new({ datamodels: [['schema.prisma', schema]] }, () => undefined, bound);
  try {
    return await fn(engine);
  } catch (err) {
    // The engine reports adapter failures as "External error id#N"; the registry holds the cause.
    const match = /External error id#(\d+)/.exec(String(err));
    const cause = match ? bound.errorRegistry.consumeError(Number(match[1])) : undefined;
    throw cause ? new Error(`${String(err)}: ${JSON.stringify(cause)}`, { cause: err }) : err;
  } finally {
    engine.free();
    await factory.close?.();
  }
}

/** The SQL that creates `schema` from nothing, exactly as Prisma's engine writes it. */
export async function diffEmptyToSchema(provider: Provider, schema: string): Promise<string> {
  return withEngine(schema, offlineAdapterFactory(provider), async (engine) => {
    const result = await engine.diff({
      from: { tag: 'empty' },
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] },
      script: true,
      exitCode: true,
      filters: noFilters,
    });
    return result.exitCode === 0 ? '' : (result.stdout ?? '');
  });
}

/** The SQL that turns schema `from` into schema `to` (both files' text); empty when they agree. */
export async function diffSchemas(provider: Provider, from: string, to: string): Promise<string> {
  return withEngine(to, offlineAdapterFactory(provider), async (engine) => {
    const result = await engine.diff({
      from: { tag: 'schemaDatamodel', files: [{ path: 'from.prisma', content: from }] },
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: to }] },
      script: true,
      exitCode: true,
      filters: noFilters,
    });
    return result.exitCode === 0 ? '' : (result.stdout ?? '');
  });
}

/**
 * `prisma migrate status` against a live database reached through `factory`: which migrations are
 * applied, edited or failed according to Prisma's own reading of `_prisma_migrations`.
 */
export async function diagnoseMigrationHistory(
  schema: string,
  migrationsDir: string,
  factory: SqlMigrationAwareDriverAdapterFactory,
): Promise<Wasm.DiagnoseMigrationHistoryOutput> {
  return withEngine(schema, factory, (engine) =>
    engine.diagnoseMigrationHistory({
      migrationsList: readMigrationList(migrationsDir),
      optInToShadowDatabase: false,
      filters: noFilters,
    }),
  );
}

/**
 * The SQL that would bring the migrations folder up to `schema` (empty when they agree): the
 * engine replays the migrations on the shadow database `factory.connectToShadowDb()` gives, then
 * compares. This is `prisma migrate diff --from-migrations --to-schema`.
 */
export async function diffMigrationsToSchema(
  schema: string,
  migrationsDir: string,
  factory: SqlMigrationAwareDriverAdapterFactory,
): Promise<string> {
  return withEngine(schema, factory, async (engine) => {
    const result = await engine.diff({
      from: { tag: 'migrations', ...readMigrationList(migrationsDir) },
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] },
      script: true,
      exitCode: true,
      filters: noFilters,
    });
    return result.exitCode === 0 ? '' : (result.stdout ?? '');
  });
}

/**
 * `prisma migrate deploy` by Prisma's own engine, against the database behind `factory`: the names
 * it applied (none when the database is already up to date).
 */
export async function deployWithEngine(
  schema: string,
  migrationsDir: string,
  factory: SqlMigrationAwareDriverAdapterFactory,
): Promise<string[]> {
  return withEngine(schema, factory, async (engine) => {
    const result = await engine.applyMigrations({ migrationsList: readMigrationList(migrationsDir), filters: noFilters });
    return result.appliedMigrationNames;
  });
}
