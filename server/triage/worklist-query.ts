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
  // The slice counts and the assignee need only the id: they start with the row's own read, not
  // after it (one round trip less). Promise.resolve: a Prisma query runs once, however many await it.
  const rowRead = Promise.resolve(prisma.study.findUnique({ where: { id: studyId }, select: STUDY_SELECT }));
  const extrasRead = rowExtras(prisma, [studyId], rowRead.then((r) => (r ? [r] : [])));
  if (options.rank === false) {
    const [row, extras] = await Promise.all([rowRead, extrasRead]);
    return row ? toItem(row, 0, extras(row.id)) : undefined;
  }
  // The rank needs the row's sort key; it runs beside the counts still in flight.
  const rankRead = rowRead.then((r) => (r ? countAhead(prisma, r) : -1));
  const [row, extras, ahead] = await Promise.all([rowRead, extrasRead, rankRead]);
  return row ? toItem(row, ahead + 1, extras(row.id)) : undefined;
}

/**
 * Rank - 1: how many active studies sort before `row` (-1 when it is closed, giving rank 0). Four
 * counts, one per way of sorting ahead, each a contiguous range of the worklist index, run side by
 * side: on PostgreSQL one count with an OR of the four took twice as long (bench/worklist.ts,
 * p95 37 vs 20 ms at load 10), on SQLite the same.
 */
async function countAhead(prisma: DbClient, row: StudyRow): Promise<number> {
  if (!(WORKLIST_ACTIVE_STATUSES as readonly string[]).includes(row.status)) return -1;
  const any = row.anyProbability;
  const tier = row.priorityTier;
  const active = { status: { in: [...WORKLIST_ACTIVE_STATUSES] } };
  const counts = await Promise.all(
    [
      { priorityTier: { lt: tier } },
      { priorityTier: tier, anyProbability: any === null ? { not: null } : { gt: any } },
      { priorityTier: tier, anyProbability: any, receivedAt: { lt: row.receivedAt } },
      // The list's last tie-break (server/db/worklist-order.ts), so an exact tie gets the rank the list shows.
      { priorityTier: tier, anyProbability: any, receivedAt: row.receivedAt, id: { lt: row.id } },
    ].map((where) => prisma.study.count({ where: { ...active, ...where } })),
  );
  return counts.reduce((a, b) => a + b, 0);
}
