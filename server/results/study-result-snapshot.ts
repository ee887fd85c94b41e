import { z } from 'zod';
import { LABELS, SUBTYPES, type Label } from '@/lib/labels';
import { studyDecisionSchema } from '@/lib/study-decision';
import type { Prisma } from '@/server/db';

type Subtype = Exclude<Label, 'any'>;
const unit = z.number().min(0).max(1);

/**
 * The decision a result reports, frozen when it was made (it travels in the outbox payload): a
 * re-analysis writes a new snapshot and a new SR, and an older SR still delivered late says what
 * was decided then. Images and patient attributes are read at delivery (they do not change).
 */
export const resultSnapshotSchema = z.object({
  studyId: z.string().min(1),
  studyInstanceUid: z.string().min(1),
  chosenSeriesId: z.string().min(1),
  algorithm: z.object({ name: z.string().min(1), version: z.string().min(1) }),
  finding: z.object({ probability: unit, threshold: unit, pointSource: z.string().min(1), targetSensitivity: unit.optional(), flagged: z.boolean() }),
  suspected: z.array(z.object({ label: z.enum(SUBTYPES as unknown as [Subtype, ...Subtype[]]), probability: unit, threshold: unit })),
  keySlices: z.array(z.object({ label: z.enum(LABELS), sopInstanceUid: z.string().min(1) })),
  decidedAt: z.iso.datetime(),
});
export type ResultSnapshot = z.infer<typeof resultSnapshotSchema>;

type Reader = Pick<Prisma.TransactionClient, 'study' | 'slicePrediction'>;

const PROBABILITY: Record<Label, 'anyProbability' | `${Subtype}Probability`> = {
  any: 'anyProbability',
  epidural: 'epiduralProbability',
  intraparenchymal: 'intraparenchymalProbability',
  intraventricular: 'intraventricularProbability',
  subarachnoid: 'subarachnoidProbability',
  subdural: 'subduralProbability',
};

/**
 * The triaged study's result as its row says now (call it inside the decision's transaction):
 * undefined for a study with no result to report (not analysable, no series chosen, not scored).
 * Key slices: the chosen series' slice with the highest probability of "any" and of each
 * suspected subtype, by the model that scored the study.
 */
export async function snapshotStudyResult(db: Reader, studyId: string): Promise<ResultSnapshot | undefined> {
  const s = await db.study.findUnique({ where: { id: studyId } });
  if (!s || (s.outcome !== 'flagged' && s.outcome !== 'not_flagged') || !s.chosenSeriesId || s.anyProbability === null || !s.modelName || !s.modelVersion || !s.decisionPoint) return undefined;
  const decision = studyDecisionSchema.parse(JSON.parse(s.decisionPoint));
  const suspected = SUBTYPES.filter((l) => s[`${l}Flagged`] && s[PROBABILITY[l]] !== null && decision.subtypeThresholds?.[l] !== undefined).map((l) => ({
    label: l,
    probability: s[PROBABILITY[l]]!,
    threshold: decision.subtypeThresholds![l]!,
  }));
  const rows = await db.slicePrediction.findMany({
    where: { studyId, modelVersion: `${s.modelName}@${s.modelVersion}`, instance: { seriesId: s.chosenSeriesId, decodeStatus: 'decoded' } },
    select: { anyProbability: true, epiduralProbability: true, intraparenchymalProbability: true, intraventricularProbability: true, subarachnoidProbability: true, subduralProbability: true, instance: { select: { SOPInstanceUID: true } } },
  });
  const keySlices: ResultSnapshot['keySlices'] = [];
  for (const label of ['any', ...suspected.map((x) => x.label)] as Label[]) {
    let best: (typeof rows)[number] | undefined;
    for (const r of rows) if (!best || r[PROBABILITY[label]] > best[PROBABILITY[label]]) best = r;
    if (best) keySlices.push({ label, sopInstanceUid: best.instance.SOPInstanceUID });
  }
  return resultSnapshotSchema.parse({
    studyId,
    studyInstanceUid: s.StudyInstanceUID,
    chosenSeriesId: s.chosenSeriesId,
    algorithm: { name: s.modelName, version: s.modelVersion },
    finding: {
      probability: s.anyProbability,
      threshold: decision.threshold,
      pointSource: decision.source,
      ...(decision.targetSensitivity !== undefined ? { targetSensitivity: decision.targetSensitivity } : {}),
      flagged: s.flagged,
    },
    suspected,
    keySlices,
    decidedAt: (s.triagedAt ?? new Date()).toISOString(),
  });
}
