/**
 * Time to notification (issue 5 §5): from the C-STORE response for the last slice of a 40-slice
 * study to a signed-in dashboard client receiving `study:updated` with change "triaged". The real
 * server runs as a child process (production build when `.next` exists, else Next dev) with the
 * shipped model on the CPU; studies are sent one after another so each is measured alone.
 * Usage: npm run build && tsx bench/time-to-notification.ts [--studies 20] [--slices 40]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import type { StudyUpdate } from '@/lib/realtime-events';
import { SOCKET_PATH } from '@/lib/realtime-events';
import { DEFAULT_MODEL_MANIFEST } from '@/server/config/defaults';
import { CStoreClient } from '@/server/demo';
import { generatePhantomStudy, mixHemorrhage } from '@/server/phantoms';
import { startServerProcess } from '@/test/support/server-process';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const STUDIES = flag('studies', 20);
const SLICES = flag('slices', 40);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

async function signIn(base: string): Promise<string> {
  const origin = { origin: base, 'content-type': 'application/json' };
  const login = async (password: string) => {
    const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: origin, body: JSON.stringify({ username: 'operator', password }) });
    if (!res.ok) throw new Error(`login: ${res.status} ${await res.text()}`);
    return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  };
  const cookie = await login('ttn-initial-password-1');
  const change = await fetch(`${base}/api/auth/password`, {
    method: 'POST',
    headers: { ...origin, cookie },
    body: JSON.stringify({ currentPassword: 'ttn-initial-password-1', newPassword: 'ttn-chosen-passphrase-2' }),
  });
  if (change.status !== 204) throw new Error(`password change: ${change.status} ${await change.text()}`);
  return login('ttn-chosen-passphrase-2');
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-ttn-'));
  const production = existsSync('.next/BUILD_ID');
  const server = await startServerProcess({
    dataDir,
    env: {
      NODE_ENV: production ? 'production' : 'development',
      MODEL_MANIFEST: DEFAULT_MODEL_MANIFEST,
      INFERENCE_THREADS: '2',
      STUDY_QUIET_PERIOD_S: '5',
      ADMIN_USERNAME: 'operator',
      ADMIN_PASSWORD: 'ttn-initial-password-1',
    },
  });
  const base = `http://127.0.0.1:${server.httpPort}`;
  try {
    const cookie = await signIn(base);
    const socket = io(base, { path: SOCKET_PATH, transports: ['websocket'], extraHeaders: { cookie, origin: base } });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(err));
    });
    const triaged = new Map<string, number>();
    const waiters = new Map<string, () => void>();
    socket.on('study:updated', (u: StudyUpdate) => {
      if (u.change !== 'triaged' || triaged.has(u.study.studyInstanceUid)) return;
      triaged.set(u.study.studyInstanceUid, performance.now());
      waiters.get(u.study.studyInstanceUid)?.();
    });

    const client = new CStoreClient({ host: '127.0.0.1', port: server.dicomPort, callingAeTitle: 'BENCHCT', calledAeTitle: 'ICHTRIAGE' });
    const ttn: number[] = [];
    for (let i = 0; i < STUDIES + 1; i++) {
      const seed = 8000 + i;
      const study = generatePhantomStudy({ seed, slices: SLICES, size: 512, hemorrhage: mixHemorrhage(seed) });
      const done = new Promise<void>((resolve) => waiters.set(study.studyInstanceUid, resolve));
      const sent = await client.send(study.slices.map((s) => s.bytes));
      const lastAck = performance.now();
      if (sent.failed > 0) throw new Error(`${sent.failed} slices refused`);
      await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`study ${i} not triaged within 120 s`)), 120_000))]);
      // The first study warms up Next's route compilation and the model; it is not counted.
      if (i > 0) ttn.push(triaged.get(study.studyInstanceUid)! - lastAck);
    }
    socket.close();
    console.log(`\n${STUDIES} studies x ${SLICES} slices (512x512 phantoms, mixed findings), shipped model on CPU, ${production ? 'production build' : 'Next dev'}`);
    console.log(`${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
    console.log('| Measure | p50 s | p95 s | max s |');
    console.log('|---|---:|---:|---:|');
    const s = (ms: number) => (ms / 1000).toFixed(2);
    console.log(`| Last C-STORE response → dashboard socket receives "triaged" | ${s(pct(ttn, 50))} | ${s(pct(ttn, 95))} | ${s(Math.max(...ttn))} |`);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
