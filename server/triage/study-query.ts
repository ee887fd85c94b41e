import { LABELS, type LabelRecord } from '@/lib/labels';
import type { ModelManifest } from '@/lib/model-manifest';
import type { StudyDetail } from '@/lib/study-detail';
import type { DbClient } from '@/server/db';
import { computePriority } from './priority';
import { readWorklistItem } from './worklist-query';

/** The aging limit when the caller does not say (server/config: AGING_LIMIT_MIN's default). */
const DEFAULT_AGING_LIMIT_MS = 30 * 60_000;

/**
 * A study with every slice's result (chosen series first, in position order) and its history.
 * `manifest` is the running model's: its operating points are given when that model scored the study.
 */
export async function readStudyDetail(
  prisma: DbClient,
  studyInstanceUid: string,
  options: { manifest?: ModelManifest; revealIdentity?: boolean; agingLimitMs?: number } = {},
): Promise<StudyDetail | undefined> {
  const study = await prisma.study.findUnique({
    where: { StudyInstanceUID: studyInstanceUid },
    select: {
      id: true,
      chosenSeriesId: true,
      seriesChoiceReason: true,
      modelName: true,
      modelVersion: true,
      modelProvider: true,
      aggregationMethod: true,
      PatientName: true,
      status: true,
      outcome: true,
      flagged: true,
      anyProbability: true,
      receivedAt: true,
      notAnalysableReason: true,
      escalatedAt: true,
      PatientID: true,
      PatientBirthDate: true,
      AccessionNumber: true,
      StudyDescription: true,
      StudyDate: true,
    },
  });
  if (!study) return undefined;
  const item = await readWorklistItem(prisma, study.id);
  if (!item) return undefined;
  const modelVersion = study.modelName ? `${study.modelName}@${study.modelVersion}` : undefined;
  const [series, instances, history] = await Promise.all([
    prisma.series.findMany({ where: { studyId: study.id }, orderBy: { receivedAt: 'asc' } }),
    prisma.instance.findMany({
      where: { studyId: study.id },
      orderBy: [{ slicePosition: 'asc' }, { InstanceNumber: 'asc' }],
      include: { predictions: { where: modelVersion ? { modelVersion } : {}, take: 1 }, series: { select: { SeriesInstanceUID: true } } },
    }),
    prisma.statusChange.findMany({ where: { studyId: study.id }, orderBy: { at: 'asc' } }),
  ]);
  const chosenFirst = (a: { seriesId: string }, b: { seriesId: string }) => Number(b.seriesId === study.chosenSeriesId) - Number(a.seriesId === study.chosenSeriesId);
  const { manifest } = options;
  const sameModel = manifest !== undefined && manifest.name === study.modelName && manifest.version === study.modelVersion;
  return {
    study: item,
    model: study.modelName && study.modelVersion
      ? { name: study.modelName, version: study.modelVersion, provider: study.modelProvider, aggregation: study.aggregationMethod }
      : null,
    operatingPoints: sameModel ? (Object.fromEntries(LABELS.map((l) => [l, manifest.operatingPoints[l].threshold])) as LabelRecord<number>) : null,
    seriesChoiceReason: study.seriesChoiceReason,
    series: series.map((s) => ({
      seriesInstanceUid: s.SeriesInstanceUID,
      description: s.SeriesDescription,
      kernel: s.ConvolutionKernel,
      instances: s.instanceCount,
      chosen: s.id === study.chosenSeriesId,
      rejectedReason: s.rejectedReason,
    })),
    slices: [...instances].sort(chosenFirst).map((i) => {
      const p = i.predictions[0];
      return {
        sopInstanceUid: i.SOPInstanceUID,
        seriesInstanceUid: i.series.SeriesInstanceUID,
        instanceNumber: i.InstanceNumber,
        position: i.slicePosition,
        decodeStatus: i.decodeStatus,
        error: i.decodeErrorCode ? { code: i.decodeErrorCode, message: i.decodeErrorMessage ?? '' } : null,
        probabilities: p
          ? {
              any: p.anyProbability,
              epidural: p.epiduralProbability,
              intraparenchymal: p.intraparenchymalProbability,
              intraventricular: p.intraventricularProbability,
              subarachnoid: p.subarachnoidProbability,
              subdural: p.subduralProbability,
            }
          : null,
        hasLocalization: Boolean(p?.localizationRef),
      };
    }),
    history: history.map((h) => ({ from: h.from, to: h.to, at: h.at.toISOString(), reason: h.reason })),
    priority: computePriority(
      { ...study, decision: item.decision },
      new Date(),
      { agingLimitMs: options.agingLimitMs ?? DEFAULT_AGING_LIMIT_MS },
    ),
    patientIdentity: options.revealIdentity
      ? {
          name: study.PatientName,
          id: study.PatientID,
          birthDate: study.PatientBirthDate,
          accessionNumber: study.AccessionNumber,
          studyDescription: study.StudyDescription,
          studyDate: study.StudyDate,
        }
      : null,
  };
}
