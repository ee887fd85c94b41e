/**
 * Time to notification (issue 5 §5, issue 15 §5): from the C-STORE response for a study's last
 * slice to a signed-in dashboard client receiving `study:updated` with change "triaged". The real
 * server runs as a child process (production build when `.next` exists, else Next dev) with the
 * shipped model on the CPU; studies are sent one after another so each is measured alone.
 *
 * Three kinds of study, each over one association as a modality sends it:
 * - `ge`: the real GE head CT (../shared/data/dicom/ge-head-ct, 28 slices; skipped when absent),
 *   new UIDs per repetition; it carries no ImagesInAcquisition, like the CT-ICH studies;
 * - `demo`: demo studies on the same real anatomy (npm run phantoms), ImagesInAcquisition removed;
 * - `announced`: 40-slice phantoms that announce their count (ImagesInAcquisition), the old case.
 * The same run measures the server twice: STUDY_EARLY_COMPLETION=off (quiet period only, as
 * before) and on (association end / geometry after STUDY_SETTLE_S), so the ratio is same-run.
 * Usage: npm run build && tsx bench/time-to-notification.ts [--studies 10] [--slices 40]
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import type { StudyUpdate } from '@/lib/realtime-events';
import { SOCKET_PATH } from '@/lib/realtime-events';
import { DEFAULT_MODEL_MANIFEST } from '@/server/config/defaults';
import { CStoreClient } from '@/server/demo';
import { parseDicom } from '@/server/dicom';
import { generateDemoStudy, generatePhantomStudy, mixHemorrhage } from '@/server/phantoms';
import { asUnannouncedStudy } from '@/test/support/as-unannounced-study';
import { startServerProcess } from '@/test/support/server-process';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const STUDIES = flag('studies', 10);
const SLICES = flag('slices', 40);
const QUIET_S = 5;
const GE_DIR = join(process.cwd(), '..', 'shared', 'data', 'dicom', 'ge-head-ct');
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

type Kind = 'ge' | 'demo' | 'announced';
interface Study {
  kind: Kind;
  uid: string;
  files: Uint8Array[];
}

const geFiles = existsSync(GE_DIR)
  ? readdirSync(GE_DIR)
      .filter((f) => f.endsWith('.dcm'))
      .sort()
      .map((f) => new Uint8Array(readFileSync(join(GE_DIR, f))))
  : [];

/** The studies of one round, built before anything is timed; `round` keeps UIDs distinct between the two servers. */
function buildStudies(round: number): Study[] {
  const out: Study[] = [];
  for (let i = 0; i < STUDIES; i++) {
    const seed = 8000 + round * 1000 + i;
    if (geFiles.length > 0) {
      const files = asUnannouncedStudy(geFiles, String(seed));
      out.push({ kind: 'ge', uid: parseDicom(files[0]!, { headerOnly: true }).header.studyInstanceUid, files });
    }
    const demo = generateDemoStudy({ seed, hemorrhage: mixHemorrhage(seed) });
    out.push({ kind: 'demo', uid: demo.studyInstanceUid, files: asUnannouncedStudy(demo.slices.map((s) => s.bytes)) });
    const phantom = generatePhantomStudy({ seed, slices: SLICES, size: 512, hemorrhage: mixHemorrhage(seed) });
    out.push({ kind: 'announced', uid: phantom.studyInstanceUid, files: phantom.slices.map((s) => s.bytes) });
  }
  return out;
}

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

/** One server (early completion on or off): a warm-up study, then every study; ms per kind. */
async function measure(early: boolean, studies: readonly Study[], warmUp: Study): Promise<{ ttn: Map<Kind, number[]>; bases: Record<string, number> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-ttn-'));
  const production = existsSync('.next/BUILD_ID');
  const server = await startServerProcess({
    dataDir,
    env: {
      NODE_ENV: production ? 'production' : 'development',
      MODEL_MANIFEST: DEFAULT_MODEL_MANIFEST,
      INFERENCE_THREADS: '2',
      STUDY_QUIET_PERIOD_S: String(QUIET_S),
      STUDY_EARLY_COMPLETION: early ? 'on' : 'off',
      ADMIN_USERNAME: 'operator',
      ADMIN_PASSWORD: 'ttn-initial-password-1',
    },
  });
  const base = `http://127.0.0.1:${server.httpPort}`;
  const ttn = new Map<Kind, number[]>();
  const bases: Record<string, number> = {};
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
    // The first study warms up Next's route compilation and the model; it is not counted.
    for (const [i, study] of [warmUp, ...studies].entries()) {
      const done = new Promise<void>((resolve) => waiters.set(study.uid, resolve));
      const sent = await client.send(study.files);
      const lastAck = performance.now();
      if (sent.failed > 0) throw new Error(`${sent.failed} slices refused`);
      await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`${study.kind} study ${i} not triaged within 120 s`)), 120_000))]);
      if (i > 0) ttn.set(study.kind, [...(ttn.get(study.kind) ?? []), triaged.get(study.uid)! - lastAck]);
    }
    socket.close();
  } finally {
    // What decided each study complete, from the server's own "study triaged" log lines.
    for (const m of server.output().matchAll(/"completion":"(\w+)"/g)) bases[m[1]!] = (bases[m[1]!] ?? 0) + 1;
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { ttn, bases };
}

async function main(): Promise<void> {
  const rounds = { off: buildStudies(1), on: buildStudies(2) };
  const warm = (round: number): Study => {
    const p = generatePhantomStudy({ seed: 7000 + round, slices: 8, size: 512 });
    return { kind: 'announced', uid: p.studyInstanceUid, files: p.slices.map((s) => s.bytes) };
  };
  const offRun = await measure(false, rounds.off, warm(1));
  const onRun = await measure(true, rounds.on, warm(2));
  const [off, on] = [offRun.ttn, onRun.ttn];

  const production = existsSync('.next/BUILD_ID');
  console.log(`\n${STUDIES} studies per kind, one association each, shipped model on CPU, ${production ? 'production build' : 'Next dev'}, STUDY_QUIET_PERIOD_S=${QUIET_S}, STUDY_SETTLE_S default`);
  console.log(`${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  console.log('| Studies (last C-STORE response → dashboard "triaged") | Early completion | n | p50 s | p95 s | max s |');
  console.log('|---|---|---:|---:|---:|---:|');
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const names: Record<Kind, string> = {
    ge: 'Real GE head CT, 28 slices, no ImagesInAcquisition',
    demo: 'Demo (real anatomy), 28 slices, no ImagesInAcquisition',
    announced: `Phantom, ${SLICES} slices, ImagesInAcquisition announced`,
  };
  for (const kind of ['ge', 'demo', 'announced'] as const) {
    for (const [label, m] of [['off (quiet period)', off], ['on', on]] as const) {
      const xs = m.get(kind);
      if (!xs) continue;
      console.log(`| ${names[kind]} | ${label} | ${xs.length} | ${s(pct(xs, 50))} | ${s(pct(xs, 95))} | ${s(Math.max(...xs))} |`);
    }
    const a = off.get(kind);
    const b = on.get(kind);
    if (a && b) console.log(`  ${kind}: p95 off/on = ${(pct(a, 95) / pct(b, 95)).toFixed(1)}x`);
  }
  console.log(`completed by (warm-up included): off ${JSON.stringify(offRun.bases)}, on ${JSON.stringify(onRun.bases)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
