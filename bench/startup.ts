/**
 * Start-up time of the server (issue 14 §1): from spawn to the "server listening" log line, the
 * source run through tsx (`node --import tsx server/main.ts`, what `npm start` ran before) against
 * the esbuild bundle (`node dist/server/main.js`, what it runs now), interleaved in the same run.
 * Role `worker` on SQLite with the tiny test model: no Next in the way, so the difference is the
 * compiling; the data folder is migrated by a warm-up start of each first, so no migration is timed.
 * Usage: tsx bench/startup.ts [--rounds 5]   (builds dist/server first)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '@/test/support/server-process';

const args = process.argv.slice(2);
const i = args.indexOf('--rounds');
const ROUNDS = i >= 0 ? Number(args[i + 1]) : 5;

execFileSync(process.execPath, ['scripts/build-server.mjs'], { stdio: 'inherit' });
const dataDir = mkdtempSync(join(tmpdir(), 'ich-bench-startup-'));
const times: Record<'source' | 'built', number[]> = { source: [], built: [] };
try {
  for (let round = 0; round <= ROUNDS; round++) {
    for (const entry of ['source', 'built'] as const) {
      const server = await startServerProcess({ dataDir, entry, env: { SERVER_ROLE: 'worker' }, startTimeoutMs: 120_000 });
      await server.stop();
      if (round > 0) times[entry].push(server.startMs); // round 0 warms up (migrations, disk cache)
    }
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = median(times.source);
const b = median(times.built);
console.log(JSON.stringify({ rounds: ROUNDS, cores: cpus().length, load1: Number(loadavg()[0]!.toFixed(2)), sourceMs: times.source, builtMs: times.built, medianSourceMs: s, medianBuiltMs: b, ratio: Number((s / b).toFixed(2)) }));
