/**
 * Decoding off the event loop under a burst (issue 14 §2): the real server, built (`npm start`'s
 * dist/server/main.js, production Next), shipped model on the CPU, SQLite, run once with decoding
 * inline on the event loop (DECODE_WORKERS=0, the baseline) and once with the decode pool
 * (DECODE_WORKERS=--pool-workers, default 1), alternating, same run. Per server: one warm-up study; then studies
 * sent one at a time (unloaded time to notification); then 8 studies arriving at once, each from
 * its own sender process (bench/burst-sender.ts) (half of them JPEG 2000 lossless, transcoded with gdcmconv),
 * while a prober times C-ECHO associations and GET /api/worklist every 100 ms.
 * TTN: from a study's last C-STORE response to a signed-in dashboard
 * socket receiving `study:updated` "triaged".
 * Usage: npm run build && npm run bench:burst -- [--rounds 1] [--studies 8] [--slices 28] [--alone 3] [--inference-threads 2] [--pool-workers 1]
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import dimse from 'dcmjs-dimse';
import { io, type Socket } from 'socket.io-client';
import { SOCKET_PATH, type StudyUpdate } from '@/lib/realtime-events';
import { DEFAULT_MODEL_MANIFEST } from '@/server/config/defaults';
import { quietDicomLibraries } from '@/server/demo/to-dimse-dataset';
import { generatePhantomStudy, mixHemorrhage } from '@/server/phantoms';
import { startServerProcess, type ServerProcess } from '@/test/support/server-process';
import { signInOperator } from './sign-in';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = flag('rounds', 1);
const STUDIES = flag('studies', 8);
const SLICES = flag('slices', 28);
const ALONE = flag('alone', 3);
/** ONNX Runtime intra-op threads of the server (INFERENCE_THREADS); both modes get the same. */
const INFERENCE_THREADS = flag('inference-threads', 2);
const POOL_WORKERS = flag('pool-workers', 1);
const pct = (xs: number[], p: number) => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!);

interface Study {
  uid: string;
  dir: string;
  j2k: boolean;
}

/** Phantom studies as Part-10 files in one folder each; every other one re-encoded as JPEG 2000 lossless. */
function writeStudies(root: string, count: number, firstSeed: number, j2kEvery: number): Study[] {
  const studies: Study[] = [];
  for (let i = 0; i < count; i++) {
    const seed = firstSeed + i;
    const phantom = generatePhantomStudy({ seed, slices: SLICES, size: 512, hemorrhage: mixHemorrhage(seed) });
    const dir = join(root, `study-${seed}`);
    mkdirSync(dir);
    const j2k = j2kEvery > 0 && i % j2kEvery === j2kEvery - 1;
    phantom.slices.forEach((s, k) => {
      const file = join(dir, `${String(k).padStart(4, '0')}.dcm`);
      writeFileSync(file, s.bytes);
      if (j2k) execFileSync('gdcmconv', ['--j2k', file, file]);
    });
    studies.push({ uid: phantom.studyInstanceUid, dir, j2k });
  }
  return studies;
}

/**
 * A sender process per study (bench/burst-sender.ts), started and loaded before `go()` so its
 * start-up is not part of the burst; `go()` resolves with the time of its last C-STORE response
 * on this process's clock.
 */
async function startSender(port: number, dir: string): Promise<{ go: () => Promise<number> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/burst-sender.ts', String(port), dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const lines: ((line: string) => void)[] = [];
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
    let i;
    while ((i = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, i);
      out = out.slice(i + 1);
      lines.shift()?.(line);
    }
  });
  const nextLine = () => new Promise<string>((resolve) => lines.push(resolve));
  const ready = await nextLine();
  if (ready !== 'ready') throw new Error(`sender: ${ready}`);
  return {
    go: async () => {
      const answer = nextLine();
      child.stdin.end('go\n');
      const line = await answer;
      if (!line.startsWith('acked ')) throw new Error(`sender ${dir}: ${line}`);
      return Number(line.slice(6)) - performance.timeOrigin;
    },
  };
}

/** One study from its own sender process; resolves with its last response's time. */
async function send(port: number, dir: string): Promise<number> {
  return (await startSender(port, dir)).go();
}

/** One C-ECHO on a new association (as a modality's "verify" does): connect, associate, echo, release. */
function echo(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const client = new dimse.Client();
    const request = new dimse.requests.CEchoRequest();
    let ok = false;
    request.on('response', (r: { getStatus(): number }) => (ok = r.getStatus() === dimse.constants.Status.Success));
    client.addRequest(request);
    client.on('closed', () => (ok ? resolve(performance.now() - started) : reject(new Error('C-ECHO failed'))));
    client.on('networkError', (e: Error) => reject(e));
    client.send('127.0.0.1', port, 'BENCHPROBE', 'ICHTRIAGE');
  });
}

/** Times C-ECHO and GET /api/worklist back to back every `everyMs` until stopped. */
function probe(server: ServerProcess, everyMs: number): { stop: () => Promise<{ echo: number[]; worklist: number[]; failures: number }> } {
  const echoMs: number[] = [];
  const worklistMs: number[] = [];
  let failures = 0;
  let running = true;
  const loop = async (measure: () => Promise<number>, into: number[]) => {
    while (running) {
      const next = performance.now() + everyMs;
      try {
        into.push(await measure());
      } catch {
        failures++;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
  };
  const timedWorklist = async () => {
    const started = performance.now();
    await server.worklist();
    return performance.now() - started;
  };
  const loops = Promise.all([loop(() => echo(server.dicomPort), echoMs), loop(timedWorklist, worklistMs)]);
  return {
    stop: async () => {
      running = false;
      await loops;
      return { echo: echoMs, worklist: worklistMs, failures };
    },
  };
}

interface ModeResult {
  mode: string;
  aloneTtn: number[];
  burstTtn: number[];
  echo: number[];
  worklist: number[];
  probeFailures: number;
  burstSeconds: number;
}

async function runMode(mode: 'inline' | 'pool', warm: Study, alone: Study[], burst: Study[]): Promise<ModeResult> {
  const dataDir = mkdtempSync(join(tmpdir(), `bench-burst-${mode}-`));
  const server = await startServerProcess({
    dataDir,
    entry: 'built',
    env: {
      NODE_ENV: 'production',
      MODEL_MANIFEST: DEFAULT_MODEL_MANIFEST,
      INFERENCE_THREADS: String(INFERENCE_THREADS),
      STUDY_QUIET_PERIOD_S: '5',
      ADMIN_USERNAME: 'operator',
      ADMIN_PASSWORD: 'burst-initial-password-1',
      // The pool explicitly: below 4 cores the default is inline (server/config defaultDecodeWorkers).
      DECODE_WORKERS: mode === 'inline' ? '0' : String(POOL_WORKERS),
    },
  });
  const base = `http://127.0.0.1:${server.httpPort}`;
  let socket: Socket | undefined;
  let prober: ReturnType<typeof probe> | undefined;
  try {
    const cookie = await signInOperator(base, 'burst-initial-password-1', 'burst-chosen-passphrase-2');
    socket = io(base, { path: SOCKET_PATH, transports: ['websocket'], extraHeaders: { cookie, origin: base } });
    await new Promise<void>((resolve, reject) => {
      socket!.once('connect', () => resolve());
      socket!.once('connect_error', (err) => reject(err));
    });
    const triaged = new Map<string, number>();
    const waiters = new Map<string, () => void>();
    socket.on('study:updated', (u: StudyUpdate) => {
      if (u.change !== 'triaged' || triaged.has(u.study.studyInstanceUid)) return;
      triaged.set(u.study.studyInstanceUid, performance.now());
      waiters.get(u.study.studyInstanceUid)?.();
    });
    const triagedBy = (uid: string, limitMs: number) =>
      Promise.race([
        new Promise<void>((resolve) => (triaged.has(uid) ? resolve() : waiters.set(uid, resolve))),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${mode}: study not triaged within ${limitMs / 1000} s`)), limitMs).unref()),
      ]);
    // Warm-up (routes, model, codecs), not counted; then the worklist probe's route is warm too.
    await send(server.dicomPort, warm.dir);
    await triagedBy(warm.uid, 180_000);
    await server.worklist();

    const aloneTtn: number[] = [];
    for (const s of alone) {
      const lastAck = await send(server.dicomPort, s.dir);
      await triagedBy(s.uid, 180_000);
      aloneTtn.push(triaged.get(s.uid)! - lastAck);
    }

    const senders = await Promise.all(burst.map((s) => startSender(server.dicomPort, s.dir)));
    prober = probe(server, 100);
    const started = performance.now();
    const acks = await Promise.all(senders.map((s) => s.go()));
    await Promise.all(burst.map((s) => triagedBy(s.uid, 600_000)));
    const burstSeconds = (performance.now() - started) / 1000;
    const probes = await prober.stop();
    prober = undefined;
    const burstTtn = burst.map((s, i) => triaged.get(s.uid)! - acks[i]!);
    return { mode, aloneTtn, burstTtn, echo: probes.echo, worklist: probes.worklist, probeFailures: probes.failures, burstSeconds };
  } catch (err) {
    console.error(`${mode}: ${String(err)}\n${server.output().slice(-3000)}`);
    throw err;
  } finally {
    await prober?.stop();
    socket?.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!existsSync('.next/BUILD_ID') || !existsSync('dist/server/decode-worker.js')) throw new Error('run `npm run build` first (production Next and dist/server)');
  quietDicomLibraries();
  const root = mkdtempSync(join(tmpdir(), 'bench-burst-studies-'));
  try {
    const [warm] = writeStudies(root, 1, 9000, 0);
    const alone = writeStudies(root, ALONE, 9100, 2);
    const burst = writeStudies(root, STUDIES, 9200, 2);
    const load = [loadavg()[0]!];
    const results: ModeResult[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of r % 2 === 0 ? (['inline', 'pool'] as const) : (['pool', 'inline'] as const)) {
        results.push(await runMode(mode, warm!, alone, burst));
        load.push(loadavg()[0]!);
      }
    }
    const merged = (mode: string) => {
      const rs = results.filter((r) => r.mode === mode);
      const all = (k: 'aloneTtn' | 'burstTtn' | 'echo' | 'worklist') => rs.flatMap((r) => r[k]);
      return { alone: all('aloneTtn'), burst: all('burstTtn'), echo: all('echo'), worklist: all('worklist'), failures: rs.reduce((n, r) => n + r.probeFailures, 0), seconds: rs.map((r) => r.burstSeconds) };
    };
    const inline = merged('inline');
    const pool = merged('pool');
    const s = (ms: number) => (ms / 1000).toFixed(2);
    const m = (ms: number) => ms.toFixed(0);
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    console.log(`\n${ROUNDS} round(s), modes alternating; burst: ${STUDIES} studies x ${SLICES} slices at once (${burst.filter((b) => b.j2k).length} JPEG 2000 lossless), each from its own sender process; alone: ${ALONE} studies one at a time; INFERENCE_THREADS=${INFERENCE_THREADS}`);
    console.log(`${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, Node ${process.version}, load average (1 min) at the start and after each server: ${load.map((l) => l.toFixed(1)).join(', ')}\n`);
    console.log('| Measure | inline (DECODE_WORKERS=0) | decode pool | pool / inline |');
    console.log('|---|---:|---:|---:|');
    console.log(`| TTN p95, studies one at a time, s | ${s(pct(inline.alone, 95))} | ${s(pct(pool.alone, 95))} | ${ratio(pct(pool.alone, 95), pct(inline.alone, 95))} |`);
    console.log(`| TTN p95, 8-study burst, s | ${s(pct(inline.burst, 95))} | ${s(pct(pool.burst, 95))} | ${ratio(pct(pool.burst, 95), pct(inline.burst, 95))} |`);
    console.log(`| TTN p50, 8-study burst, s | ${s(pct(inline.burst, 50))} | ${s(pct(pool.burst, 50))} | ${ratio(pct(pool.burst, 50), pct(inline.burst, 50))} |`);
    console.log(`| C-ECHO association p99 during the burst, ms (n) | ${m(pct(inline.echo, 99))} (${inline.echo.length}) | ${m(pct(pool.echo, 99))} (${pool.echo.length}) | ${ratio(pct(pool.echo, 99), pct(inline.echo, 99))} |`);
    console.log(`| GET /api/worklist p95 during the burst, ms (n) | ${m(pct(inline.worklist, 95))} (${inline.worklist.length}) | ${m(pct(pool.worklist, 95))} (${pool.worklist.length}) | ${ratio(pct(pool.worklist, 95), pct(inline.worklist, 95))} |`);
    console.log(`| GET /api/worklist max during the burst, ms | ${m(Math.max(...inline.worklist))} | ${m(Math.max(...pool.worklist))} | |`);
    console.log(`| Burst: first C-STORE to last "triaged", s | ${inline.seconds.map((x) => x.toFixed(1)).join(', ')} | ${pool.seconds.map((x) => x.toFixed(1)).join(', ')} | |`);
    console.log(`| Probe failures | ${inline.failures} | ${pool.failures} | |`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
