/**
 * Time from a triage decision's commit to the webhook receiver having the alert (issue 13 §2).
 * In process, on a real database (SQLite; PostgreSQL too when its binaries are installed): for
 * each study, one transaction writes the decision and, through the real triage hook
 * (notifyAfterDecision), queues its webhook message, as finaliseStudy does; the clock starts when
 * that transaction has committed. The real OutboxDispatcher signs and POSTs it over loopback HTTP to
 * a real node:http receiver; the clock stops when the receiver has read the whole body. Studies go
 * one at a time (each measured alone). Two modes, interleaved in the same run: `woken` (the worker
 * wakes the dispatcher on each "triaged", as start-worker wires it) and `poll` (no wake: the
 * dispatcher finds the row at its next 1 s poll), so their ratio is same-run. Each study meets
 * the dispatcher idle (250 ms after the previous delivery).
 * Usage: tsx bench/notify.ts [--studies 50] [--no-postgres]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openDatabase, type Database } from '@/server/db';
import { DEFAULT_NOTIFY_SETTINGS, notifyAfterDecision, registerNotifiers, type NotifySettings } from '@/server/notify';
import { OutboxDispatcher } from '@/server/outbox';
import { startTestReceiver } from '@/test/support/http-receiver';
import { findPostgresBin, startPostgres } from '@/test/support/postgres-server';

const args = process.argv.slice(2);
const STUDIES = (() => {
  const i = args.indexOf('--studies');
  return i >= 0 ? Number(args[i + 1]) : 50;
})();
const POLL_STUDIES = Math.max(5, Math.round(STUDIES / 5));
const WARMUP = 3;
const log = pino({ level: 'silent' });
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

async function measure(db: Database, label: string): Promise<void> {
  const receiver = await startTestReceiver();
  const settings: NotifySettings = { ...DEFAULT_NOTIFY_SETTINGS, webhook: { url: receiver.url, secret: 'bench-secret-of-some-length', events: 'flagged' } };
  const hook = notifyAfterDecision(settings, new URL('https://triage.example.org'))!;
  const dispatcher = new OutboxDispatcher({ prisma: db.prisma, log, pollIntervalMs: 1000 });
  registerNotifiers(dispatcher, settings);
  dispatcher.start();
  const waiting = new Map<string, (at: number) => void>();
  receiver.onRequest((r) => waiting.get(String(r.headers['x-ich-event-id']))?.(r.at));

  const times: Record<'woken' | 'poll', number[]> = { woken: [], poll: [] };
  const plan: ('woken' | 'poll')[] = [];
  // Interleaved: a poll-only study after every fifth woken one.
  for (let i = 0, p = 0; i < STUDIES + WARMUP; i++) {
    plan.push('woken');
    if (i >= WARMUP && (i - WARMUP) % 5 === 4 && p++ < POLL_STUDIES) plan.push('poll');
  }
  let n = 0;
  for (const mode of plan) {
    n++;
    // Let the dispatcher finish recording the previous delivery and fall asleep, so each study
    // meets it idle (otherwise a poll-only study can be found by the round that follows a delivery).
    await new Promise((r) => setTimeout(r, 250));
    const uid = `1.2.826.0.1.3680043.10.777.${Date.now()}.${n}`;
    const s = await db.prisma.study.create({
      data: { StudyInstanceUID: uid, status: 'analysing', anyProbability: 0.8, epiduralProbability: 0.5, epiduralFlagged: true, modelName: 'bench', modelVersion: '1', decisionPoint: JSON.stringify({ threshold: 0.22, source: 'manifest', targetSensitivity: 0.95 }) },
    });
    const decidedAt = new Date();
    let eventId = '';
    await db.prisma.$transaction(async (tx) => {
      await tx.study.update({ where: { id: s.id }, data: { status: 'triaged', outcome: 'flagged', flagged: true, triagedAt: decidedAt, completedAt: decidedAt, priorityTier: 0 } });
      await hook(tx, { studyId: s.id, studyInstanceUid: uid, outcome: 'flagged', flagged: true, reason: 'bench', decidedAt, statusKept: false });
    });
    const committed = performance.now();
    const row = await db.prisma.outboxMessage.findFirstOrThrow({ where: { studyInstanceUid: uid }, select: { payload: true } });
    eventId = (row.payload as { eventId: string }).eventId;
    const received = new Promise<number>((resolve) => waiting.set(eventId, resolve));
    if (mode === 'woken') dispatcher.wake();
    const at = await received;
    waiting.delete(eventId);
    if (n > WARMUP || mode === 'poll') times[mode].push(at - committed);
  }
  await dispatcher.stop();
  await receiver.close();
  for (const mode of ['woken', 'poll'] as const) {
    const t = times[mode];
    console.log(JSON.stringify({ database: label, mode, studies: t.length, p50_ms: +pct(t, 50).toFixed(1), p95_ms: +pct(t, 95).toFixed(1), max_ms: +Math.max(...t).toFixed(1) }));
  }
  console.log(JSON.stringify({ database: label, p50_ratio_poll_over_woken: +(pct(times.poll, 50) / pct(times.woken, 50)).toFixed(1) }));
}

async function main(): Promise<void> {
  console.log(JSON.stringify({ cpus: cpus().length, loadavg: loadavg().map((l) => +l.toFixed(1)), studies: STUDIES, pollStudies: POLL_STUDIES }));
  const dir = mkdtempSync(join(tmpdir(), 'bench-notify-'));
  try {
    const sqlite = await openDatabase({ dataDir: dir, log });
    await measure(sqlite, 'sqlite');
    await sqlite.close();
    if (!args.includes('--no-postgres') && findPostgresBin()) {
      const pg = await startPostgres();
      try {
        const db = await openDatabase({ databaseUrl: pg.url, dataDir: dir, log });
        await measure(db, 'postgresql');
        await db.close();
      } finally {
        await pg.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ loadavgAfter: loadavg().map((l) => +l.toFixed(1)) }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
