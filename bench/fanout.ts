/**
 * Fan-out (issue 5 §5): publish-to-receive latency of study events to N connected dashboards.
 * One in-process hub (the real RealtimeHub: each event is journaled in SQLite, then emitted to the
 * worklist room); the clients are real socket.io-clients (WebSocket) in a child process, as
 * browsers would be elsewhere, so their parsing does not queue behind the server's. Rounds
 * alternate N=1 (baseline) and N=100 in the same run; latency = client receive time minus the
 * moment publishStudy was called (so it includes the journal write), on one shared clock.
 * Usage: tsx bench/fanout.ts [--clients 100] [--events 300] [--rounds 2] [--interval-ms 10]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { io } from 'socket.io-client';
import { SOCKET_PATH } from '@/lib/realtime-events';
import { openDatabase } from '@/server/db';
import { startHub, worklistItem } from '@/test/realtime/hub-fixture';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CLIENTS = flag('clients', 100);
const EVENTS = flag('events', 300);
const ROUNDS = flag('rounds', 2);
const INTERVAL_MS = flag('interval-ms', 10);
const WARMUP = 20;

/** A shared clock across processes: epoch milliseconds with sub-millisecond resolution. */
const now = () => performance.timeOrigin + performance.now();
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const round1 = (x: number) => Math.round(x * 10) / 10;

type FromChild = { ready: true } | { received: Record<number, number[]> };

/** Child mode: N sockets; records when each event reached each socket; reports when told. */
async function runClients(url: string, n: number): Promise<void> {
  const received: Record<number, number[]> = {};
  const sockets = await Promise.all(
    Array.from({ length: n }, async () => {
      const socket = io(url, { path: SOCKET_PATH, transports: ['websocket'], forceNew: true, reconnection: false });
      socket.on('study:updated', (u: { seq: number }) => (received[u.seq] ??= []).push(now()));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      return socket;
    }),
  );
  process.send!({ ready: true } satisfies FromChild);
  process.on('message', (m: { report?: true }) => {
    if (!m.report) return;
    process.send!({ received } satisfies FromChild, () => {
      sockets.forEach((s) => s.close());
      process.exit(0);
    });
  });
}

/** How long each publishStudy took (journal insert + emit to the room), all rounds. */
const publishMs: number[] = [];

async function round(url: string, publish: (i: number) => Promise<number>, n: number): Promise<number[]> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--client-of', url, String(n)]);
  const messages: FromChild[] = [];
  const next = () =>
    new Promise<FromChild>((resolve, reject) => {
      const m = messages.shift();
      if (m) return resolve(m);
      child.once('message', (msg: FromChild) => resolve(msg));
      child.once('exit', (code) => reject(new Error(`client process exited with ${code}`)));
    });
  await next(); // ready
  const sentAt = new Map<number, number>();
  for (let i = 0; i < WARMUP + EVENTS; i++) {
    const t = now();
    const seq = await publish(i);
    if (i >= WARMUP) {
      sentAt.set(seq, t);
      publishMs.push(now() - t);
    }
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
  }
  await new Promise((r) => setTimeout(r, 500)); // the last events' way to every client
  child.send({ report: true });
  const report = await next();
  if (!('received' in report)) throw new Error('unexpected message from the client process');
  const latencies: number[] = [];
  let missing = 0;
  for (const [seq, t] of sentAt) {
    const times = report.received[seq] ?? [];
    missing += n - times.length;
    for (const r of times) latencies.push(r - t);
  }
  if (missing > 0) throw new Error(`${missing} deliveries missing at N=${n}`);
  return latencies;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-fanout-'));
  const db = await openDatabase({ dataDir, log: pino({ level: 'silent' }) });
  const { hub, url, stop } = await startHub(db);
  const publish = async (i: number) => (await hub.publishStudy('progress', worklistItem(i % 50, (i % 100) / 100))).seq;
  const samples = new Map<number, number[]>([
    [1, []],
    [CLIENTS, []],
  ]);
  for (let r = 0; r < ROUNDS; r++) {
    for (const n of [1, CLIENTS]) samples.get(n)!.push(...(await round(url, publish, n)));
  }
  await stop();
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });

  const summary = (xs: number[]) => ({ samples: xs.length, p50: round1(pct(xs, 50)), p95: round1(pct(xs, 95)), p99: round1(pct(xs, 99)), max: round1(Math.max(...xs)) });
  const base = summary(samples.get(1)!);
  const many = summary(samples.get(CLIENTS)!);
  console.log(`fan-out: ${EVENTS} events x ${ROUNDS} rounds, one every ${INTERVAL_MS} ms; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`);
  console.log(`  N=1      p50 ${base.p50} ms  p95 ${base.p95} ms  p99 ${base.p99} ms  max ${base.max} ms`);
  console.log(`  N=${CLIENTS}  p50 ${many.p50} ms  p95 ${many.p95} ms  p99 ${many.p99} ms  max ${many.max} ms`);
  console.log(`  publishStudy itself (journal insert + emit): p50 ${round1(pct(publishMs, 50))} ms  p99 ${round1(pct(publishMs, 99))} ms`);
  console.log(`  added p99 at N=${CLIENTS}: ${round1(many.p99 - base.p99)} ms (target < 200 ms)`);
  console.log(
    JSON.stringify({
      bench: 'fanout',
      events: EVENTS,
      rounds: ROUNDS,
      intervalMs: INTERVAL_MS,
      baseline: { clients: 1, ...base },
      fanout: { clients: CLIENTS, ...many },
      addedP99Ms: round1(many.p99 - base.p99),
      publishMs: { p50: round1(pct(publishMs, 50)), p99: round1(pct(publishMs, 99)) },
      cores: cpus().length,
      load: Number(loadavg()[0]!.toFixed(2)),
    }),
  );
}

const child = args.indexOf('--client-of');
if (child >= 0) {
  void runClients(args[child + 1]!, Number(args[child + 2]));
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
