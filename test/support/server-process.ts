import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { WorklistItem } from '@/lib/worklist';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
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

/** The real server (`server/main.ts`) running as a child process, in its own process group. */
export type ServerProcess = {
  pid: number;
  httpPort: number;
  dicomPort: number;
  /** Milliseconds from spawn to the "server listening" log line. */
  startMs: number;
  /** stdout + stderr so far (JSON log lines and Next's own output), for failure messages. */
  output(): string;
  /**
   * What in the output is a failure whatever the test: error- and fatal-level log lines, and any
   * unhandled rejection or uncaught exception (Node's own report or ours). Empty when clean.
   */
  problems(): string[];
  /** Whether the process is still running. */
  alive(): boolean;
  /** SIGKILL to the whole process group (the server and anything it spawned); resolves on exit. */
  kill9(): Promise<void>;
  /** `signal` (default SIGTERM, a graceful stop), SIGKILL after `graceMs`; resolves with the exit code (null: killed by a signal). */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<number | null>;
  /** GET a JSON endpoint of this server. */
  getJson<T>(path: string): Promise<T>;
  worklist(): Promise<WorklistItem[]>;
};

export type ServerProcessOptions = {
  dataDir: string;
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  /**
   * `source` (default): `node --import tsx server/main.ts`, as `npm run dev` runs it. `built`:
   * `node dist/server/main.js`, as `npm start` runs it (build it first: `node scripts/build-server.mjs`).
   * Either way the child's PID is the server's own process.
   */
  entry?: 'source' | 'built';
  /** How long to wait for "server listening" (default 180 s: Next dev on a loaded 2-core box). */
  startTimeoutMs?: number;
  /**
   * The harness's clinician token (default: a new random one). Web nodes sharing a database must
   * share it: each start revokes the API_TOKENS rows its own environment does not list.
   */
  apiToken?: string;
};

/**
 * Starts `node --import tsx server/main.ts` exactly as `npm run dev` does (without the file
 * watcher), on free ports, with the demo scanner off, the CPU provider and the tiny test model.
 * NODE_ENV stays development so no `next build` is needed (vitest runs before the build in CI);
 * Next dev compiles the API routes on first request. Note: Next dev holds an exclusive lock on
 * `.next/dev`, so only one such server (or `npm run dev`) can run in the checkout at a time.
 */
export async function startServerProcess(opts: ServerProcessOptions): Promise<ServerProcess> {
  const { child, output, problems, exited, httpPort, dicomPort, apiToken, started } = await spawnServer(opts);
  await waitForListening(child, output, exited, opts.startTimeoutMs ?? 180_000);
  const startMs = Math.round(performance.now() - started);
  const base = `http://127.0.0.1:${httpPort}`;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };

  const getJson = async <T>(path: string): Promise<T> => {
    const res = await fetch(base + path, { headers: { authorization: `Bearer ${apiToken}` }, signal: AbortSignal.timeout(120_000) });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    pid: child.pid!,
    httpPort,
    dicomPort,
    startMs,
    output,
    problems,
    alive: () => child.exitCode === null && child.signalCode === null,
    async kill9() {
      signalGroup('SIGKILL');
      await exited;
    },
    async stop(graceMs = 20_000, signal: NodeJS.Signals = 'SIGTERM') {
      // To the server's own process only: a supervisor signals the PID it started.
      try {
        process.kill(child.pid!, signal);
      } catch {
        // already gone
      }
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Whatever the server spawned goes with it.
      signalGroup('SIGKILL');
      return child.exitCode;
    },
    getJson,
    worklist: async () => (await getJson<{ studies: WorklistItem[] }>('/api/worklist')).studies,
  };
}

/**
 * Starts the server and waits for it to exit by itself (a start-up that must fail); SIGKILL after
 * `timeoutMs`. Resolves with its exit code (null: killed) and output.
 */
export async function runServerToExit(opts: ServerProcessOptions & { timeoutMs: number }): Promise<{ code: number | null; ms: number; output: string; problems: string[] }> {
  const { child, output, problems, exited, started } = await spawnServer(opts);
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, opts.timeoutMs);
  await exited;
  clearTimeout(timer);
  return { code: child.exitCode, ms: Math.round(performance.now() - started), output: output(), problems: problems() };
}

async function spawnServer(opts: ServerProcessOptions) {
  const httpPort = opts.env?.PORT ? Number(opts.env.PORT) : await freePort();
  const dicomPort = opts.env?.DICOM_PORT ? Number(opts.env.DICOM_PORT) : await freePort();
  // The API needs credentials: a service-account token (API_TOKENS, role clinician) for getJson.
  const apiToken = opts.apiToken ?? randomBytes(32).toString('base64url');
  const env = {
    // Next dev: no build needed (see above). NODE_ENV=production needs `next build` first.
    NODE_ENV: 'development',
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    HOST: '127.0.0.1',
    PORT: String(httpPort),
    DICOM_PORT: String(dicomPort),
    // A worker's health/metrics port (default 9464): its own, so workers of tests running at once never collide.
    WORKER_HTTP_PORT: String(await freePort()),
    DATA_DIR: opts.dataDir,
    DEMO_SCANNER: 'off',
    INFERENCE_PROVIDERS: 'cpu',
    INFERENCE_THREADS: '1',
    STUDY_QUIET_PERIOD_S: '2',
    MODEL_MANIFEST: 'models/test-model/tiny-test-0.1.0.json',
    LOG_LEVEL: 'info',
    NEXT_TELEMETRY_DISABLED: '1',
    ...opts.env,
    API_TOKENS: [`test-harness:clinician:${apiToken}`, opts.env?.API_TOKENS].filter(Boolean).join(','),
  } as NodeJS.ProcessEnv;
  const started = performance.now();
  const args = opts.entry === 'built' ? ['dist/server/main.js'] : ['--import', 'tsx', 'server/main.ts'];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  let size = 0;
  const keep = (b: Buffer) => {
    chunks.push(b.toString('utf8'));
    size += b.length;
    while (size > 256 * 1024 && chunks.length > 1) size -= chunks.shift()!.length;
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const output = () => chunks.join('');
  // Scanned line by line as output arrives (the buffer above keeps only the last 256 kB).
  const problemsSeen: string[] = [];
  const scanner = () => {
    let partial = '';
    return (b: Buffer) => {
      const lines = (partial + b.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      problemsSeen.push(...findProblems(lines.join('\n')));
    };
  };
  child.stdout!.on('data', scanner());
  child.stderr!.on('data', scanner());
  return { child, output, problems: () => [...problemsSeen], exited, httpPort, dicomPort, apiToken, started };
}

const UNHANDLED = /unhandledRejection|uncaughtException|Unhandled ?Rejection|UnhandledPromiseRejection/;

/** Error/fatal JSON log lines (pino levels 50, 60) and unhandled-error reports among `text`'s lines. */
export function findProblems(text: string): string[] {
  return text.split('\n').filter((line) => {
    if (UNHANDLED.test(line)) return true;
    if (!line.startsWith('{')) return false;
    try {
      const level = (JSON.parse(line) as { level?: unknown }).level;
      return typeof level === 'number' ? level >= 50 : level === 'error' || level === 'fatal';
    } catch {
      return false;
    }
  });
}

async function waitForListening(child: ChildProcess, output: () => string, exited: Promise<void>, timeoutMs: number): Promise<void> {
  let done = false;
  const gone = exited.then(() => {
    if (!done) throw new Error(`the server exited (code ${child.exitCode}) before listening:\n${output().slice(-4000)}`);
  });
  const listening = (async () => {
    const end = Date.now() + timeoutMs;
    while (!/"msg":"server listening"/.test(output())) {
      if (done) return;
      if (Date.now() > end) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
        throw new Error(`the server did not listen within ${timeoutMs} ms:\n${output().slice(-4000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    await Promise.race([listening, gone]);
  } finally {
    done = true;
  }
}
