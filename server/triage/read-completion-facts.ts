import type { DbClient } from '@/server/db';
import { bestCoverage, type StudyCompletionFacts } from './series-completion-decision';
import { judgeHeadCoverage } from './series-completion';

/**
 * What the database says about a study's completeness (decideCompletion's input): one query for
 * its series, one for its slices' positions and brain areas. Undefined when the study is gone.
 */
export async function readCompletionFacts(prisma: DbClient, studyId: string, now = new Date()): Promise<StudyCompletionFacts | undefined> {
  const study = await prisma.study.findUnique({
    where: { id: studyId },
    select: { lastSliceAt: true, receivedAt: true, expectedSliceCount: true, series: { select: { id: true, instanceCount: true, completedAt: true } } },
  });
  if (!study) return undefined;
  const slices = await prisma.instance.findMany({ where: { studyId }, select: { seriesId: true, slicePosition: true, brainAreaMm2: true } });
  const series = study.series.filter((s) => s.instanceCount > 0);
  const perSeries = series.map((s) => {
    const own = slices.filter((i) => i.seriesId === s.id).map((i) => ({ position: i.slicePosition, brainAreaMm2: i.brainAreaMm2 }));
    return { slices: own.length, coverage: judgeHeadCoverage(own) };
  });
  const expected = study.expectedSliceCount;
  return {
    sinceLastSliceMs: now.getTime() - (study.lastSliceAt ?? study.receivedAt).getTime(),
    announcedCountReached: expected !== null && series.some((s) => s.instanceCount >= expected),
    // Series.completedAt is set when an association that carried the series is released, cleared by its next slice.
    senderDone: series.length > 0 && series.every((s) => s.completedAt !== null),
    coverage: bestCoverage(perSeries),
  };
}
