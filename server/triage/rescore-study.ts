import type { LabelRecord } from '@/lib/labels';
import type { ModelManifest } from '@/lib/model-manifest';
import { manifestPoints, type PointsInForce } from '@/lib/study-decision';
import type { DbClient } from '@/server/db';
import { PRIORITY_TIERS } from './priority';
import { scoreStudy, type StudyScore } from './score-study';

export interface ModelIdentity {
  manifest: Pick<ModelManifest, 'name' | 'version' | 'operatingPoints' | 'studyAggregation' | 'studyOperatingPoints'>;
  provider: string;
  /**
   * The study-level points in force now (an admin's change, the site calibration, or the manifest's:
   * server/triage/operating-points-in-force.ts). Absent: the manifest's.
   */
  pointsInForce?: () => Promise<PointsInForce>;
}

const modelVersion = (m: ModelIdentity) => `${m.manifest.name}@${m.manifest.version}`;

/** The series with the most analysed slices: the provisional choice while a study arrives. */
async function busiestSeries(prisma: DbClient, studyId: string, version: string): Promise<string | undefined> {
  const groups = await prisma.instance.groupBy({
    by: ['seriesId'],
    where: { studyId, predictions: { some: { modelVersion: version } } },
    _count: { _all: true },
  });
  groups.sort((a, b) => b._count._all - a._count._all);
  return groups[0]?.seriesId;
}

/**
 * Recomputes a study's per-label probabilities, its flag and suspected subtypes (by the study-level
 * points in force, recorded with the study) from its slices' predictions (one
 * series: the chosen one once final, the busiest one while arriving) and writes them to the study
 * row. Provisional flags are written too: a bleed seen on the first slices should not wait for
 * the last one to reach the top of the list.
 */
export async function rescoreStudy(prisma: DbClient, studyId: string, model: ModelIdentity, seriesId?: string): Promise<StudyScore | undefined> {
  const version = modelVersion(model);
  const series = seriesId ?? (await busiestSeries(prisma, studyId, version));
  if (!series) return undefined;
  const rows = await prisma.slicePrediction.findMany({
    where: { studyId, modelVersion: version, instance: { seriesId: series, decodeStatus: 'decoded' } },
    orderBy: [{ instance: { slicePosition: 'asc' } }, { instance: { InstanceNumber: 'asc' } }],
  });
  const slices: LabelRecord<number>[] = rows.map((r) => ({
    any: r.anyProbability,
    epidural: r.epiduralProbability,
    intraparenchymal: r.intraparenchymalProbability,
    intraventricular: r.intraventricularProbability,
    subarachnoid: r.subarachnoidProbability,
    subdural: r.subduralProbability,
  }));
  const inForce = model.pointsInForce ? await model.pointsInForce() : manifestPoints(model.manifest);
  const score = scoreStudy(slices, model.manifest.studyAggregation ?? 'max', inForce);
  await prisma.study.update({
    where: { id: studyId },
    data: {
      anyProbability: score.probabilities.any,
      epiduralProbability: score.probabilities.epidural,
      intraparenchymalProbability: score.probabilities.intraparenchymal,
      intraventricularProbability: score.probabilities.intraventricular,
      subarachnoidProbability: score.probabilities.subarachnoid,
      subduralProbability: score.probabilities.subdural,
      epiduralFlagged: score.flags.epidural,
      intraparenchymalFlagged: score.flags.intraparenchymal,
      intraventricularFlagged: score.flags.intraventricular,
      subarachnoidFlagged: score.flags.subarachnoid,
      subduralFlagged: score.flags.subdural,
      flagged: score.flagged,
      decisionPoint: JSON.stringify(score.decision),
      // Provisional tier: the aging sweep and finalisation refine it (server/triage/priority.ts).
      priorityTier: score.flagged ? PRIORITY_TIERS.flagged : PRIORITY_TIERS.ranked,
      modelName: model.manifest.name,
      modelVersion: model.manifest.version,
      modelProvider: model.provider,
      aggregationMethod: score.aggregation,
    },
  });
  return score;
}

