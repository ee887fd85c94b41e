/**
 * Worklist query latency at scale (issue 4 §4: p95 under 20 ms with 10,000 studies). Seeds a
 * realistic database — a mix of statuses, tiers and probabilities, every study with a series of
 * slices and their predictions — into SQLite (temp folder) and, when the server binaries exist,
 * a throwaway PostgreSQL (test/support), then times in the same run:
 *   - readWorklist(prisma, 50) (a page) and readWorklist(prisma) (200 rows),
 *   - the same page as the bare indexed study query (WORKLIST_ORDER_BY only), the baseline whose
 *     ratio shows the cost of the slice counts,
 *   - readWorklistItem for random active studies against a bare findUnique: with the rank (the API)
 *     and without (`rank: false`, what every realtime push reads; dashboards re-rank pushed rows),
 *   - the rank alone, one statement keyed by the id (now) against the row's key read then four
 *     range counts (before 2026-12-02), and the API row against that older rank beside the row.
 * Rounds alternate the queries so background load hits them alike.
 * The covering indexes this benchmark motivated are part of the schema now. Usage:
 *   tsx bench/worklist.ts [--studies 10000] [--slices 32] [--runs 200] [--warmup 30] [--no-postgres]
 */
import { cpus, loadavg } from 'node:os';
import { openDatabase, WORKLIST_ACTIVE_STATUSES, WORKLIST_ORDER_BY, type Database, type DbClient } from '@/server/db';
import { rankStatement, readWorklist, readWorklistItem } from '@/server/triage/worklist-query';
import { postgresDatabases, sqliteDatabases, type TestDatabases } from '@/test/support/test-databases';
import { seedWorklist } from './worklist-seed';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const STUDIES = flag('studies', 10_000);
const SLICES = flag('slices', 32);
const RUNS = flag('runs', 200);
const WARMUP = flag('warmup', 30);
const TARGET_P95_MS = 20;
const silent = { info: () => undefined, warn: () => undefined };

type Timed = { name: string; samples: number[] };

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

function summary(t: Timed) {
  const s = [...t.samples].sort((a, b) => a - b);
  return { name: t.name, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s.at(-1)! };
}

/** The baseline: the same page off the worklist index, without the slice counts. */
function bareWorklistPage(prisma: DbClient, limit: number) {
  return prisma.study.findMany({ where: { status: { in: [...WORKLIST_ACTIVE_STATUSES] } }, orderBy: [...WORKLIST_ORDER_BY], take: limit });
}

const ACTIVE = { status: { in: [...WORKLIST_ACTIVE_STATUSES] } };

/** The rank as it was counted before 2026-12-02: the row's sort key read, then four range counts side by side. */
async function rankBefore(prisma: DbClient, id: string) {
  const r = (await prisma.study.findUnique({ where: { id }, select: { id: true, priorityTier: true, anyProbability: true, receivedAt: true } }))!;
  const any = r.anyProbability;
  const [a, b, c, d] = await Promise.all([
    prisma.study.count({ where: { ...ACTIVE, priorityTier: { lt: r.priorityTier } } }),
    prisma.study.count({ where: { ...ACTIVE, priorityTier: r.priorityTier, anyProbability: any === null ? { not: null } : { gt: any } } }),
    prisma.study.count({ where: { ...ACTIVE, priorityTier: r.priorityTier, anyProbability: any, receivedAt: { lt: r.receivedAt } } }),
    prisma.study.count({ where: { ...ACTIVE, priorityTier: r.priorityTier, anyProbability: any, receivedAt: r.receivedAt, id: { lt: r.id } } }),
  ]);
  return a + b + c + d;
}

/** How it counts now (worklist-query.ts countAhead): one statement keyed by the id. */
function rankNow(prisma: DbClient, id: string) {
  return prisma.$queryRaw(rankStatement(id));
}

async function measure(db: Database): Promise<Timed[]> {
  const { prisma } = db;
  const activeRows = await prisma.study.findMany({ where: ACTIVE, select: { id: true } });
  const active = activeRows.map((s) => s.id);
  let k = 0;
  const pick = () => active[(k++ * 7919) % active.length]!; // deterministic spread over the table
  const queries: [string, () => Promise<unknown>][] = [
    ['readWorklist(50)', () => readWorklist(prisma, 50)],
    ['baseline: study.findMany page of 50', () => bareWorklistPage(prisma, 50)],
    ['readWorklist(200) (GET /api/worklist)', () => readWorklist(prisma)],
    ['baseline: study.findMany page of 200', () => bareWorklistPage(prisma, 200)],
    ['readWorklistItem(random active) (API: row + rank)', () => readWorklistItem(prisma, pick())],
    ['baseline: study.findUnique', () => prisma.study.findUnique({ where: { id: pick() } })],
    ['readWorklistItem(random active, rank: false) (every realtime push)', () => readWorklistItem(prisma, pick(), { rank: false })],
    ['baseline: study.findUnique', () => prisma.study.findUnique({ where: { id: pick() } })],
    ['rank alone: one statement beside the row read (as now)', () => rankNow(prisma, pick())],
    ['baseline: rank alone, key read then four counts (before)', () => rankBefore(prisma, pick())],
    ['readWorklistItem(random active) (API, vs the rank as before)', () => readWorklistItem(prisma, pick())],
    ['baseline: row + rank as before (row without rank beside key read then four counts)', () => {
      const id = pick();
      return Promise.all([readWorklistItem(prisma, id, { rank: false }), rankBefore(prisma, id)]);
    }],
  ];
  for (let i = 0; i < WARMUP; i++) for (const [, q] of queries) await q();
  const timed: Timed[] = queries.map(([name]) => ({ name, samples: [] }));
  for (let r = 0; r < RUNS; r++) {
    for (const [i, [, q]] of queries.entries()) {
      const t0 = performance.now();
      await q();
      timed[i]!.samples.push(performance.now() - t0);
    }
  }
  return timed;
}

async function benchProvider(dbs: TestDatabases): Promise<{ provider: string; seedS: number; rows: ReturnType<typeof summary>[]; counts: string } | undefined> {
  if (dbs.unavailable) {
    console.error(`${dbs.provider}: skipped (${dbs.unavailable})`);
    return undefined;
  }
  await dbs.start();
  try {
    const target = await dbs.fresh();
    const db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir, log: silent });
    try {
      const t0 = performance.now();
      const counts = await seedWorklist(db.prisma, { studies: STUDIES, slicesPerStudy: SLICES });
      const seedS = (performance.now() - t0) / 1000;
      if (db.provider === 'postgresql') await db.prisma.$executeRawUnsafe('ANALYZE');
      console.error(`${db.provider}: seeded ${counts} in ${seedS.toFixed(1)} s; timing ${RUNS} runs after ${WARMUP} warm-up…`);
      const rows = (await measure(db)).map(summary);
      return { provider: db.provider, seedS, rows, counts };
    } finally {
      await db.close();
    }
  } finally {
    await dbs.stop();
  }
}

const f = (ms: number) => ms.toFixed(2);

async function main(): Promise<void> {
  const providers = [sqliteDatabases(), ...(args.includes('--no-postgres') ? [] : [postgresDatabases()])];
  console.log(`\nWorklist queries at ${STUDIES} studies, ${SLICES} slices each; ${RUNS} timed runs per query after ${WARMUP} warm-up, interleaved.`);
  console.log(`${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  const results = [];
  for (const dbs of providers) {
    const r = await benchProvider(dbs);
    if (r) results.push(r);
  }
  console.log('| Database | Query | p50 ms | p95 ms | p99 ms | max ms | p95 / baseline p95 |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  let worst = 0;
  for (const r of results) {
    r.rows.forEach((row, i) => {
      const isBaseline = row.name.startsWith('baseline');
      // Each query is followed by its baseline; the "+ covering indexes" rows compare with the same
      // query's baseline from the first pass.
      const base = row.name.endsWith('+ covering indexes') ? r.rows.find((b, j) => j % 2 === 1 && r.rows[j - 1]!.name === row.name.replace(' + covering indexes', '')) : r.rows[i + 1];
      const ratio = isBaseline || !base ? '' : `${(row.p95 / base.p95).toFixed(1)}×`;
      if (row.name.startsWith('readWorklist') && !row.name.endsWith('covering indexes')) worst = Math.max(worst, row.p95);
      console.log(`| ${r.provider} | ${row.name} | ${f(row.p50)} | ${f(row.p95)} | ${f(row.p99)} | ${f(row.max)} | ${ratio} |`);
    });
  }
  console.log(`\n${results.map((r) => `${r.provider}: ${r.counts}, seeded in ${r.seedS.toFixed(0)} s`).join('; ')}`);
  const verdict = worst <= TARGET_P95_MS ? 'within' : 'OVER';
  console.log(`worst p95 of the worklist queries as they are: ${f(worst)} ms, ${verdict} the ${TARGET_P95_MS} ms target`);
  console.log(JSON.stringify({ studies: STUDIES, slices: SLICES, runs: RUNS, results }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
