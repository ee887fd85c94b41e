import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';
import type { Logger } from '@/server/logging';

/** Cross-node fan-out for the hub: a Socket.IO adapter and what must be closed after it. */
export interface Fanout {
  adapter: ReturnType<typeof createAdapter>;
  /** Ends the adapter's connection pool; call after the Socket.IO server is closed. */
  close(): Promise<void>;
}

/** The adapter's table for payloads over NOTIFY's 8000-byte limit (its documented schema). */
const ATTACHMENTS_TABLE = `CREATE TABLE IF NOT EXISTS socket_io_attachments (
  id          bigserial UNIQUE,
  created_at  timestamptz DEFAULT NOW(),
  payload     bytea
)`;

/**
 * Fans Socket.IO broadcasts out to every server node sharing one PostgreSQL database, through
 * LISTEN/NOTIFY (`@socket.io/postgres-adapter`). Its own small pool: the LISTEN connection is held
 * for good and must not starve Prisma's. The channel is per schema, so two deployments sharing a
 * database in different schemas do not hear each other.
 */
export async function createPostgresFanout(options: { url: string; schema: string | undefined; log: Logger }): Promise<Fanout> {
  const { url, schema, log } = options;
  const pool = new pg.Pool({
    connectionString: url,
    ...(schema ? { options: `-c search_path="${schema}"` } : {}),
    max: 4,
  });
  // An idle client's error (a database restart) must not crash the process; the adapter reconnects.
  pool.on('error', (err) => log.warn({ err }, 'realtime fan-out: database connection error'));
  try {
    await createAttachmentsTable(pool, schema);
  } catch (err) {
    await pool.end();
    throw err;
  }
  const adapter = createAdapter(pool, {
    channelPrefix: schema ? `socket.io:${schema}` : 'socket.io',
    errorHandler: (err) => log.warn({ err }, 'realtime fan-out error'),
  });
  return { adapter, close: () => pool.end() };
}

/** Serialises the start-up DDL of nodes starting at once (any fixed key; distinct from the migrations'). */
const FANOUT_DDL_LOCK = 72707370;

/**
 * `CREATE … IF NOT EXISTS` is not safe against itself: two nodes starting at the same moment can
 * both pass the check and one fails on a catalog unique index (`pg_type_typname_nsp_index`; seen
 * in the concurrent first-start test). A transaction-scoped advisory lock runs them one at a time.
 */
async function createAttachmentsTable(pool: pg.Pool, schema: string | undefined): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [FANOUT_DDL_LOCK]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(ATTACHMENTS_TABLE);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
