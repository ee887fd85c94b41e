import { isAppError } from '@/lib/errors';
import type { DbClient, Prisma } from '@/server/db';
import type { DicomHeader } from '@/server/dicom';
import { MIN_BRAIN_AREA_MM2 } from '@/server/dicom/intracranial-content';
import type { SliceAnalyser } from '@/server/analysis/slice-analyser';
import { chooseSeries, type SeriesCandidate } from './choose-series';
import { computePriority, type PriorityPolicy } from './priority';
import { rescoreStudy, type ModelIdentity } from './rescore-study';
import { describeCompletion, type CompletionBasis } from './series-completion-decision';
import type { StudyScore } from './score-study';
import type { StudyStatus, TriageOutcome } from './study-status';

export interface FinalisedStudy {
  studyId: string;
  outcome: TriageOutcome;
  flagged: boolean;
  reason: string;
}

/** A decision just written, as the hooks that run inside its transaction see it. */
export interface DecidedStudy extends FinalisedStudy {
  studyInstanceUid: string;
  decidedAt: Date;
  /** True when the study was already reported, dismissed or in review: its figures changed, its status did not. */
  statusKept: boolean;
}

/**
 * Runs inside the transaction that records a study's decision (after the Study row is updated),
 * so what it writes — an outbox message (server/outbox) — exists if and only if the decision does.
 */
export type AfterDecision = (tx: Prisma.TransactionClient, decided: DecidedStudy) => Promise<void>;

/**
 * Ends a study's analysis once its slices stopped arriving: choose the series (with the reason),
 * run the final pass, score it, and triage it (flagged / not flagged / not analysable with the
 * reason). Nothing is silently skipped: a study with no usable slices is triaged not analysable,
 * which puts it in front of a human. Undefined, and nothing decided, when a slice arrived while
 * this ran (a web node stored it mid-pass: the study stays open and is decided again with it), or
 * another worker decided it meanwhile (two sweeps took the same study: it is decided once).
 */
export async function finaliseStudy(
  prisma: DbClient,
  deps: { analyser: SliceAnalyser; model: ModelIdentity; policy: PriorityPolicy; afterDecision?: readonly AfterDecision[] | undefined },
  studyId: string,
  now = new Date(),
  /** What decided the study was complete (server/triage/series-completion-decision.ts); absent: the quiet period, not judged. */
  completion: { basis: CompletionBasis; possiblyIncomplete: boolean } = { basis: 'quiet', possiblyIncomplete: false },
): Promise<FinalisedStudy | undefined> {
  const study = await prisma.study.findUnique({ where: { id: studyId }, select: { id: true, StudyInstanceUID: true, status: true, receivedAt: true, escalatedAt: true, lastSliceAt: true } });
  if (!study) return undefined;
  const instances = await prisma.instance.findMany({
    where: { studyId },
    select: { id: true, seriesId: true, storedPath: true, decodeStatus: true, decodeErrorCode: true, brainAreaMm2: true },
  });
  const seriesRows = await prisma.series.findMany({ where: { studyId } });

  type Slice = DicomHeader & { instanceId: string; showsBrain: boolean | undefined };
  const candidates: SeriesCandidate<Slice>[] = [];
  for (const s of seriesRows) {
    const slices: Slice[] = [];
    for (const i of instances.filter((x) => x.seriesId === s.id && x.decodeStatus === 'decoded')) {
      try {
        const header = await deps.analyser.headerOf(i);
        slices.push({ ...header, instanceId: i.id, showsBrain: i.brainAreaMm2 === null ? undefined : i.brainAreaMm2 >= MIN_BRAIN_AREA_MM2 });
      } catch (err) {
        if (!isAppError(err)) throw err;
      }
    }
    if (slices.length > 0) {
      candidates.push({ seriesId: s.id, description: s.SeriesDescription, convolutionKernel: s.ConvolutionKernel, sliceThickness: s.SliceThickness, slices });
    }
  }

  const choice = chooseSeries(candidates);
  for (const r of choice.rejected) {
    await prisma.series.update({ where: { id: r.seriesId }, data: { rejectedReason: r.code } });
  }
  let outcome: TriageOutcome;
  let reason: string;
  let flagged = false;
  let decision: StudyScore['decision'] | null = null;
  let notAnalysableReason: string | null = null;
  if (choice.seriesId === null) {
    const failed = instances.filter((i) => i.decodeStatus === 'failed');
    const codes = [...new Set(failed.map((i) => i.decodeErrorCode))].join(', ');
    notAnalysableReason = candidates.length === 0 && failed.length > 0 ? `${failed.length} slice(s) could not be decoded (${codes})` : choice.reason;
    outcome = 'not_analysable';
    reason = notAnalysableReason;
  } else {
    await deps.analyser.finaliseSeries(choice.seriesId);
    const score = await rescoreStudy(prisma, studyId, deps.model, choice.seriesId);
    flagged = score?.flagged ?? false;
    decision = score?.decision ?? null;
    outcome = flagged ? 'flagged' : 'not_flagged';
    reason = choice.reason;
  }

  // Reported or dismissed studies keep their status; their figures are still brought up to date.
  const keepStatus = study.status === 'reported' || study.status === 'dismissed' || study.status === 'in_review';
  const to: StudyStatus = keepStatus ? (study.status as StudyStatus) : 'triaged';
  const after = await prisma.study.findUniqueOrThrow({ where: { id: studyId }, select: { anyProbability: true } });
  const priority = computePriority(
    {
      status: to,
      outcome,
      flagged,
      anyProbability: outcome === 'not_analysable' ? null : after.anyProbability,
      decision,
      receivedAt: study.receivedAt,
      notAnalysableReason,
      escalatedAt: study.escalatedAt,
    },
    now,
    deps.policy,
  );
  const decided: DecidedStudy = { studyId, studyInstanceUid: study.StudyInstanceUID, outcome, flagged, reason, decidedAt: now, statusKept: keepStatus };
  // Interactive, so the hooks (outbox messages) commit or roll back with the decision.
  const written = await prisma.$transaction(async (tx) => {
    // Only the study as it was read (PostgreSQL re-checks this after waiting for the row): a slice
    // recorded since moved lastSliceAt, and its recorder saw the study open so re-opened nothing;
    // a status moved on means another worker's sweep decided it first.
    const { count } = await tx.study.updateMany({
      where: { id: studyId, status: study.status, lastSliceAt: study.lastSliceAt },
      data: {
        outcome,
        flagged,
        notAnalysableReason,
        chosenSeriesId: choice.seriesId,
        seriesChoiceReason: choice.reason,
        completedAt: now,
        triagedAt: now,
        possiblyIncomplete: completion.possiblyIncomplete,
        status: to,
        priorityTier: priority.tier,
        // Not analysable: no score and no suspected subtype survives from provisional rescoring.
        ...(outcome === 'not_analysable'
          ? { anyProbability: null, epiduralFlagged: false, intraparenchymalFlagged: false, intraventricularFlagged: false, subarachnoidFlagged: false, subduralFlagged: false }
          : {}),
      },
    });
    if (count === 0) return false;
    if (to !== study.status) await tx.statusChange.create({ data: { studyId, from: study.status, to, at: now, reason: `${outcome}: ${reason}; ${describeCompletion(completion.basis, completion.possiblyIncomplete)}`.slice(0, 500) } });
    for (const hook of deps.afterDecision ?? []) await hook(tx, decided);
    return true;
  }, { maxWait: 10_000, timeout: 15_000 });
  return written ? { studyId, outcome, flagged, reason } : undefined;
}
