import { operationsAlarms } from '@/lib/operations-alarms';
import { OPERATIONS_WINDOWS, type Histogram, type OperationsAlarmBands, type OperationsMetrics, type OperationsWindow } from '@/lib/operations';
import type { DbClient } from '@/server/db';
import { DEFAULT_ALARM_BANDS } from './operations-env';

/** Upper bounds (ms) of the time-to-triage buckets; the last bucket is open. */
const TTT_BOUNDS_MS = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 300_000];
const TTT_LABELS = ['< 1 s', '1–2 s', '2–5 s', '5–10 s', '10–30 s', '30–60 s', '1–5 min', '> 5 min'];
const SCORE_BINS = 10;
/** Enough for a busy site's week; beyond it the page says so rather than stalling the database. */
const MAX_STUDIES = 50_000;
/** A per-hour rate never divides by less than this: two studies in 5 s are not 1 440 an hour. */
const MIN_COVERED_MS = 60_000;

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function histogram(values: readonly number[], bounds: readonly number[], labels: string[]): Histogram {
  const counts = new Array<number>(labels.length).fill(0);
  for (const v of values) {
    const i = bounds.findIndex((b) => v < b);
    counts[i < 0 ? labels.length - 1 : i]! += 1;
  }
  return { buckets: labels, counts };
}

/**
 * The operations page's figures over a window ending now, with the alarms `bands` raise. Counts
 * come from the database, so every node of a scaled-out install reports the same; the study scan is
 * capped at MAX_STUDIES.
 */
export async function readOperationsMetrics(prisma: DbClient, window: OperationsWindow, now = new Date(), bands: OperationsAlarmBands = DEFAULT_ALARM_BANDS): Promise<OperationsMetrics> {
  const from = new Date(now.getTime() - OPERATIONS_WINDOWS[window]);
  const studies = await prisma.study.findMany({
    where: { receivedAt: { gte: from } },
    select: { receivedAt: true, lastSliceAt: true, triagedAt: true, outcome: true, anyProbability: true },
    orderBy: { receivedAt: 'desc' },
    take: MAX_STUDIES,
  });

  const bucketMs = window === '7d' ? 6 * 3_600_000 : window === '24h' ? 3_600_000 : 5 * 60_000;
  const start = Math.floor(from.getTime() / bucketMs) * bucketMs;
  const buckets = new Map<number, { received: number; triaged: number; flagged: number }>();
  for (let t = start; t <= now.getTime(); t += bucketMs) buckets.set(t, { received: 0, triaged: 0, flagged: 0 });
  const bucketOf = (d: Date) => buckets.get(Math.floor(d.getTime() / bucketMs) * bucketMs);

  const triageTimes: number[] = [];
  const scores: number[] = [];
  let triaged = 0;
  let flagged = 0;
  let notAnalysable = 0;
  for (const s of studies) {
    const b = bucketOf(s.receivedAt);
    if (b) b.received += 1;
    if (!s.outcome || !s.triagedAt) continue;
    triaged += 1;
    if (b) b.triaged += 1;
    if (s.outcome === 'flagged') {
      flagged += 1;
      if (b) b.flagged += 1;
    }
    if (s.outcome === 'not_analysable') notAnalysable += 1;
    if (s.lastSliceAt) triageTimes.push(Math.max(0, s.triagedAt.getTime() - s.lastSliceAt.getTime()));
    if (s.anyProbability !== null) scores.push(s.anyProbability);
  }
  triageTimes.sort((a, b) => a - b);

  const [statusCounts, jobCounts, agree, disagree, quarantinedByCode, sliceDecodeFailures, firstStudy] = await Promise.all([
    prisma.study.groupBy({ by: ['status'], where: { status: { in: ['receiving', 'analysing', 'triaged', 'in_review'] } }, _count: { _all: true } }),
    prisma.job.groupBy({ by: ['status'], where: { status: { in: ['pending', 'leased'] } }, _count: { _all: true } }),
    prisma.studyFeedback.count({ where: { createdAt: { gte: from }, verdict: 'agree' } }),
    prisma.studyFeedback.count({ where: { createdAt: { gte: from }, verdict: 'disagree' } }),
    prisma.quarantinedInput.groupBy({ by: ['errorCode'], where: { receivedAt: { gte: from } }, _count: { _all: true } }),
    prisma.instance.count({ where: { receivedAt: { gte: from }, decodeStatus: 'failed' } }),
    // The server's data start: a window reaching before it covers only the time since.
    prisma.study.findFirst({ orderBy: { receivedAt: 'asc' }, select: { receivedAt: true } }),
  ]);
  const statusCount = (status: string) => statusCounts.find((c) => c.status === status)?._count._all ?? 0;
  const jobCount = (status: string) => jobCounts.find((c) => c.status === status)?._count._all ?? 0;
  const withResult = triaged - notAnalysable;
  const coveredFrom = new Date(Math.min(now.getTime(), Math.max(from.getTime(), firstStudy?.receivedAt.getTime() ?? now.getTime())));
  const hours = Math.max(MIN_COVERED_MS, now.getTime() - coveredFrom.getTime()) / 3_600_000;
  const flagRate = withResult > 0 ? flagged / withResult : null;
  const disagreementRate = agree + disagree > 0 ? disagree / (agree + disagree) : null;
  const p95Ms = quantile(triageTimes, 0.95);
  const scoreBounds = Array.from({ length: SCORE_BINS - 1 }, (_, i) => (i + 1) / SCORE_BINS);
  const scoreLabels = Array.from({ length: SCORE_BINS }, (_, i) => `${(i / SCORE_BINS).toFixed(1)}–${((i + 1) / SCORE_BINS).toFixed(1)}`);

  return {
    window,
    from: from.toISOString(),
    to: now.toISOString(),
    coveredFrom: coveredFrom.toISOString(),
    alarms: operationsAlarms(
      { window, withResult, flagRate, triaged, notAnalysable, feedbackCount: agree + disagree, disagreementRate, timeToTriageP95Ms: p95Ms },
      bands,
    ),
    throughput: [...buckets].map(([t, c]) => ({ at: new Date(t).toISOString(), ...c })),
    totals: { received: studies.length, triaged, flagged, notAnalysable, studiesPerHour: Math.round((studies.length / hours) * 10) / 10 },
    timeToTriage: { p50Ms: quantile(triageTimes, 0.5), p95Ms, histogram: histogram(triageTimes, TTT_BOUNDS_MS, TTT_LABELS) },
    queue: {
      receiving: statusCount('receiving'),
      analysing: statusCount('analysing'),
      triaged: statusCount('triaged'),
      inReview: statusCount('in_review'),
      jobsPending: jobCount('pending'),
      jobsRunning: jobCount('leased'),
    },
    flagRate,
    scoreHistogram: histogram(scores, scoreBounds, scoreLabels),
    feedback: { agree, disagree, disagreementRate },
    errors: {
      quarantined: quarantinedByCode.reduce((n, q) => n + q._count._all, 0),
      quarantinedByCode: quarantinedByCode.map((q) => ({ code: q.errorCode, count: q._count._all })).sort((a, b) => b.count - a.count),
      sliceDecodeFailures,
    },
  };
}
