import { raw, sqltag, type Sql } from '@prisma/client/runtime/client';
import { parseStudyDecision } from '@/lib/study-decision';
import type { WorklistItem } from '@/lib/worklist';
import type { WorklistView } from '@/lib/worklist-view';
import { WORKLIST_ACTIVE_STATUSES, WORKLIST_ORDER_BY, type DbClient, type Prisma } from '@/server/db';

const STUDY_SELECT = {
  id: true,
  StudyInstanceUID: true,
  PatientID: true,
  PatientName: true,
  PatientSex: true,
  PatientAge: true,
  status: true,
  outcome: true,
  priorityTier: true,
  flagged: true,
  anyProbability: true,
  epiduralProbability: true,
  intraparenchymalProbability: true,
  intraventricularProbability: true,
  subarachnoidProbability: true,
  subduralProbability: true,
  epiduralFlagged: true,
  intraparenchymalFlagged: true,
  intraventricularFlagged: true,
  subarachnoidFlagged: true,
  subduralFlagged: true,
  notAnalysableReason: true,
  possiblyIncomplete: true,
  receivedAt: true,
  completedAt: true,
  triagedAt: true,
  modelName: true,
  modelVersion: true,
  escalatedAt: true,
  decisionPoint: true,
} as const satisfies Prisma.StudySelect;

type StudyRow = Prisma.StudyGetPayload<{ select: typeof STUDY_SELECT }>;

/** "D.J. …4821": enough to tell rows apart at a glance, not enough to identify anyone. */
export function maskPatient(name: string | null, id: string | null): string {
  const initials = (name ?? '')
    .split(/[\^ ]+/)
    .filter(Boolean)
    .slice(0, 2)
    .reverse()
    .map((p) => `${p[0]!.toUpperCase()}.`)
    .join('');
  const tail = id ? `…${id.slice(-4)}` : '';
  return [initials, tail].filter(Boolean).join(' ') || 'unknown';
}

/**
 * Received, analysed and failed slices per study. "Analysed" counts the predictions of the model
 * that scored the study (a study re-analysed after a model upgrade has a prediction per model per
 * slice); before any model is recorded, the most any one model produced.
 */
async function sliceCounts(
  prisma: DbClient,
  studyIds: readonly string[],
  models: Promise<readonly StudyModelRef[]>,
): Promise<Map<string, WorklistItem['slices']>> {
  const counts = new Map<string, WorklistItem['slices']>(studyIds.map((id) => [id, { received: 0, analysed: 0, failed: 0 }]));
  // Both groupings and the studies' models (possibly still being read) side by side.
  const [groups, analysed, studies] = await Promise.all([
    prisma.instance.groupBy({ by: ['studyId', 'decodeStatus'], where: { studyId: { in: [...studyIds] } }, _count: { _all: true } }),
    prisma.slicePrediction.groupBy({ by: ['studyId', 'modelVersion'], where: { studyId: { in: [...studyIds] } }, _count: { _all: true } }),
    models,
  ]);
  for (const g of groups) {
    const c = counts.get(g.studyId)!;
    c.received += g._count._all;
    if (g.decodeStatus === 'failed') c.failed += g._count._all;
  }
  const scoredBy = new Map(studies.map((s) => [s.id, s.modelName ? `${s.modelName}@${s.modelVersion}` : null]));
  for (const a of analysed) {
    const c = counts.get(a.studyId)!;
    const model = scoredBy.get(a.studyId);
    if (model ? a.modelVersion === model : a._count._all > c.analysed) c.analysed = a._count._all;
  }
  return counts;
}

type StudyModelRef = { id: string; modelName: string | null; modelVersion: string | null };

/**
 * Who holds each study: one query for the whole page (the open assignment, releasedAt null). Taking
 * over releases the previous holder in the same transaction, so there is at most one; should two
 * ever be open, the newest wins.
 */
async function assignees(prisma: DbClient, studyIds: string[]): Promise<Map<string, string>> {
  const open = await prisma.assignment.findMany({
    where: { studyId: { in: studyIds }, releasedAt: null },
    orderBy: { assignedAt: 'asc' },
    select: { studyId: true, user: { select: { username: true } } },
  });
  return new Map(open.map((a) => [a.studyId, a.user.username]));
}

/**
 * Slice counts and assignees of a page of studies, read side by side. `models` may still be in
 * flight (the single-row read starts these before its study row has arrived).
 */
async function rowExtras(prisma: DbClient, studyIds: string[], models: Promise<readonly StudyModelRef[]>) {
  const [counts, holders] = await Promise.all([sliceCounts(prisma, studyIds, models), assignees(prisma, studyIds)]);
  return (id: string) => ({ slices: counts.get(id)!, assignee: holders.get(id) ?? null });
}

function toItem(s: StudyRow, rank: number, extras: { slices: WorklistItem['slices']; assignee: string | null }): WorklistItem {
  return {
    studyInstanceUid: s.StudyInstanceUID,
    status: s.status,
    outcome: s.outcome,
    rank,
    priorityTier: s.priorityTier,
    flagged: s.flagged,
    probabilities: {
      any: s.anyProbability,
      epidural: s.epiduralProbability,
      intraparenchymal: s.intraparenchymalProbability,
      intraventricular: s.intraventricularProbability,
      subarachnoid: s.subarachnoidProbability,
      subdural: s.subduralProbability,
    },
    flags: {
      epidural: s.epiduralFlagged,
      intraparenchymal: s.intraparenchymalFlagged,
      intraventricular: s.intraventricularFlagged,
      subarachnoid: s.subarachnoidFlagged,
      subdural: s.subduralFlagged,
    },
    notAnalysableReason: s.notAnalysableReason,
    // Only while the study stands as triaged from what arrived; a late slice re-opens it (receiving).
    possiblyIncomplete: s.possiblyIncomplete && s.status !== 'receiving',
    slices: extras.slices,
    patient: maskPatient(s.PatientName, s.PatientID),
    patientSex: s.PatientSex,
    patientAge: s.PatientAge,
    receivedAt: s.receivedAt.toISOString(),
    completedAt: s.completedAt?.toISOString() ?? null,
    triagedAt: s.triagedAt?.toISOString() ?? null,
    model: s.modelName ? `${s.modelName}@${s.modelVersion ?? '?'}` : null,
    assignee: extras.assignee,
    escalated: s.escalatedAt !== null,
    decision: parseStudyDecision(s.decisionPoint),
  };
}

const VIEW_STATUSES: Record<WorklistView, readonly WorklistItem['status'][] | null> = {
  active: WORKLIST_ACTIVE_STATUSES,
  reported: ['reported'],
  dismissed: ['dismissed'],
  all: null,
};

/**
 * The top of the worklist in rank order (read straight off the worklist index). A page of 50
 * keeps p95 near the 20 ms target at 10,000 studies (bench/worklist.ts); 200 rows cost ~3x that.
 * `view` 'active' (the live list) by default; 'reported' and 'dismissed' give finished studies, the
 * most recently received first; 'all' the active ones in rank order, then the finished ones (rank 0,
 * as a closed study has no place on the list).
 */
export async function readWorklist(prisma: DbClient, limit = 50, view: WorklistView = 'active'): Promise<WorklistItem[]> {
  const statuses = VIEW_STATUSES[view];
  const finished = view === 'reported' || view === 'dismissed';
  const rows = await prisma.study.findMany({
    where: statuses ? { status: { in: [...statuses] } } : {},
    orderBy: finished ? [{ receivedAt: 'desc' }, { id: 'desc' }] : [...WORKLIST_ORDER_BY],
    take: limit,
    select: STUDY_SELECT,
  });
  const extras = await rowExtras(
    prisma,
    rows.map((r) => r.id),
    Promise.resolve(rows),
  );
  const active = new Set<string>(WORKLIST_ACTIVE_STATUSES);
  return rows.map((r, i) => toItem(r, active.has(r.status) ? i + 1 : 0, extras(r.id)));
}

/**
 * One study's row, with its current rank (0 when it is closed). `rank: false` skips the rank, a
 * count of the active studies ahead that is most of this read on PostgreSQL (bench/worklist.ts),
 * and gives rank 0: for the realtime push, whose rows every dashboard re-ranks itself
 * (app/worklist/worklist-state.ts rankStudies); the API's reads keep the default.
 */
export async function readWorklistItem(prisma: DbClient, studyId: string, options: { rank?: boolean } = {}): Promise<WorklistItem | undefined> {
  // The slice counts, the assignee and the rank need only the id: they start with the row's own
  // read, not after it (one round trip less). Promise.resolve: a Prisma query runs once, however
  // many await it.
  const ranked = options.rank !== false;
  const rowRead = Promise.resolve(prisma.study.findUnique({ where: { id: studyId }, select: STUDY_SELECT }));
  const extrasRead = rowExtras(prisma, [studyId], rowRead.then((r) => (r ? [r] : [])));
  const rankRead = ranked ? countAhead(prisma, studyId) : Promise.resolve(-1);
  const [row, extras, counted] = await Promise.all([rowRead, extrasRead, rankRead]);
  if (!row) return undefined;
  let ahead = counted;
  // The row and the count are two statements: a study re-opened between them was counted as
  // closed; count again rather than show an open study without a rank.
  if (ranked && ahead < 0 && isActive(row.status)) ahead = await countAhead(prisma, studyId);
  // The row's own status decides whether it has a rank, so a row never shows closed with one.
  return toItem(row, ranked && isActive(row.status) && ahead >= 0 ? ahead + 1 : 0, extras(row.id));
}

const isActive = (status: string) => (WORKLIST_ACTIVE_STATUSES as readonly string[]).includes(status);

/** The active statuses as an SQL list; constants of this module, never input. */
const ACTIVE_SQL = raw(`(${WORKLIST_ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ')})`);

/**
 * Rank - 1: how many active studies sort before the study (WORKLIST_ORDER_BY: tier, "any" high to
 * low with unscored last, arrival, id), or -1 when it is closed or gone. One statement keyed by the
 * id, so it runs beside the row's read instead of after it: the study's own sort key is read inside
 * (`me`) and each way of sorting ahead is one contiguous range of the worklist index (an index-only
 * count; `status` is its last column):
 *   1. a lower tier;
 *   2. the same tier and a higher score (none when the study is unscored: `> NULL` is never true);
 *   3. the study unscored: every scored one of its tier (their scores sort first);
 *   4. the same score, then earlier arrival, then a lower id: `(receivedAt, id) < (…)`, a row-value
 *      range both databases read off the index after the two equal columns;
 *   5. both unscored: the same as 4 among the unscored ones (`=` never matches NULL).
 * 2/3 and 4/5 exclude each other (the study's score is null or it is not). Before, the rank was four
 * Prisma counts started after the row had arrived (bench/worklist.ts compares them in one run).
 * `"priorityTier" >= -2147483648` is true of every int4 and changes no count (nor does `<= me.t`
 * beside `= me.t`): it is there for PostgreSQL's planner, which cannot see the study's key when it
 * plans. Guessing a third of the table for `< me.t`, and a fifth for 3 (every scored study of an
 * unknown tier), it chose sequential scans; a two-sided range with an unknown end it estimates
 * small, so it reads the index (server/triage/worklist-query.test.ts checks the plan).
 */
async function countAhead(prisma: DbClient, studyId: string): Promise<number> {
  const rows = await prisma.$queryRaw<{ ahead: bigint | number }[]>(rankStatement(studyId));
  return rows[0] ? Number(rows[0].ahead) : -1;
}

/** countAhead's statement, exported for the plan checks (worklist-query.test.ts) and bench/worklist.ts. */
export function rankStatement(studyId: string): Sql {
  return sqltag`
    WITH me AS (SELECT "priorityTier" AS t, "anyProbability" AS p, "receivedAt" AS r, "id" AS i, "status" AS st FROM "Study" WHERE "id" = ${studyId})
    SELECT CASE WHEN me.st IN ${ACTIVE_SQL} THEN
        (SELECT count(*) FROM "Study" s WHERE s."status" IN ${ACTIVE_SQL} AND s."priorityTier" >= -2147483648 AND s."priorityTier" < me.t)
      + (SELECT count(*) FROM "Study" s WHERE s."status" IN ${ACTIVE_SQL} AND s."priorityTier" = me.t AND s."anyProbability" > me.p)
      + (SELECT count(*) FROM "Study" s WHERE s."status" IN ${ACTIVE_SQL} AND s."priorityTier" = me.t AND s."priorityTier" >= -2147483648 AND s."priorityTier" <= me.t AND s."anyProbability" IS NOT NULL AND me.p IS NULL)
      + (SELECT count(*) FROM "Study" s WHERE s."status" IN ${ACTIVE_SQL} AND s."priorityTier" = me.t AND s."anyProbability" = me.p AND (s."receivedAt", s."id") < (me.r, me.i))
      + (SELECT count(*) FROM "Study" s WHERE s."status" IN ${ACTIVE_SQL} AND s."priorityTier" = me.t AND s."anyProbability" IS NULL AND me.p IS NULL AND (s."receivedAt", s."id") < (me.r, me.i))
    ELSE -1 END AS ahead
    FROM me`;
}
