import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isAppError } from '@/lib/errors';
import { loadConfig } from '@/server/config';
import { createHttpServer, registerServices } from '@/server/http';
import { createLogger } from '@/server/logging';
import { RealtimeHub } from '@/server/realtime';
import { readVersion } from '@/server/version';

/**
 * The composition root: validate configuration once, create each stage, start them, and stop them
 * in reverse order on SIGINT/SIGTERM. Nothing else reads process.env.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });

  const version = readVersion();
  const startedAt = new Date().toISOString();
  const status = () => ({ version, startedAt, model: null });
  registerServices({ status });

  const rootDir = fileURLToPath(new URL('..', import.meta.url));
  const http = await createHttpServer({ dev: config.env === 'development', dir: rootDir, log });
  const realtime = new RealtimeHub(http.server, { heartbeatIntervalMs: config.heartbeatIntervalMs, status }, log);

  await new Promise<void>((resolve) => http.server.listen(config.port, config.host, resolve));
  realtime.start();
  log.info({ port: config.port, env: config.env, version }, 'server listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await realtime.stop(); // also closes the http server
    await http.closeNext();
    process.exit(0);
  };
  process.on('SIGINT', (s) => void stop(s));
  process.on('SIGTERM', (s) => void stop(s));
}

main().catch((err: unknown) => {
  // The logger may not exist yet (bad config): print one JSON line ourselves.
  const error = isAppError(err) ? err.toJSON() : { code: 'INTERNAL', message: String(err) };
  console.error(JSON.stringify({ level: 'fatal', msg: 'server failed to start', error }));
  process.exit(1);
});
