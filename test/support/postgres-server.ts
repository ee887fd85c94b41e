import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throwaway PostgreSQL cluster for tests; `url` points at its `postgres` database. */
export type PostgresServer = {
  url: string;
  version: string;
  startMs: number;
  stop(): Promise<void>;
};

/**
 * The bin folder of the newest system PostgreSQL (Debian's postgresql-NN package), or null when
 * none is installed. PG_BIN_DIR overrides the search.
 */
export function findPostgresBin(env: Record<string, string | undefined> = process.env): string | null {
  if (env.PG_BIN_DIR) return existsSync(path.join(env.PG_BIN_DIR, 'initdb')) ? env.PG_BIN_DIR : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : null;
}

/** A TCP port that was free a moment ago. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function postgresIds(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid) throw new Error('PostgreSQL refuses to run as root and there is no "postgres" user to run it as');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Starts a fresh cluster in a temp folder on a spare port, tuned for tests (no fsync, trust auth,
 * localhost only). PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
 */
export async function startPostgres(binDir = findPostgresBin()): Promise<PostgresServer> {
  if (!binDir) throw new Error('PostgreSQL binaries not found (install the postgresql-15 package)');
  const started = performance.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'ich-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  const exec = (cmd: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(binDir, cmd), ...args]) : run(path.join(binDir, cmd), args);
  const data = path.join(dir, 'data');
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=50',
  ].join(' ');
  try {
    await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
    await exec('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '30', 'start']);
  } catch (err) {
    const log = existsSync(path.join(dir, 'server.log')) ? readFileSync(path.join(dir, 'server.log'), 'utf8') : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start PostgreSQL: ${String(err)}\n${log}`, { cause: err });
  }
  const { stdout } = await run(path.join(binDir, 'postgres'), ['--version']);
  let stopped = false;
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    version: stdout.trim(),
    startMs: Math.round(performance.now() - started),
    async stop() {
      if (stopped) return;
      stopped = true;
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
