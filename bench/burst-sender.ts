/**
 * One sender of bench/burst.ts, in its own process (as a modality is): reads a study folder, says
 * "ready", waits for "go" on stdin, sends every file over one association with the project's
 * C-STORE client (each file in its own transfer syntax) and prints the wall-clock time of the last
 * response (performance.timeOrigin + now, comparable across processes), or "failed: …".
 * Usage: tsx bench/burst-sender.ts <port> <folder>
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CStoreClient } from '@/server/demo';

const [port, dir] = process.argv.slice(2);
const files = readdirSync(dir!).sort().map((f) => new Uint8Array(readFileSync(join(dir!, f))));
// Generous timeouts: a slow answer under the burst is what the bench measures, not a failure.
const client = new CStoreClient({ host: '127.0.0.1', port: Number(port), callingAeTitle: 'BENCHCT', calledAeTitle: 'ICHTRIAGE' }, { connectMs: 120_000, associationMs: 120_000, pduMs: 300_000 });
process.stdout.write('ready\n');
process.stdin.once('data', () => {
  client.send(files).then(
    (sent) => {
      const at = performance.timeOrigin + performance.now();
      process.stdout.write(sent.failed > 0 ? `failed: ${sent.failed} refused: ${sent.results.find((r) => !r.ok)?.reason}\n` : `acked ${at}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stdout.write(`failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
});
