import type { PriorStudy } from '@/lib/prior-studies';
import type { DbClient } from '@/server/db';

/** Most prior studies listed: a patient with more has a chart elsewhere too. */
export const MAX_PRIOR_STUDIES = 50;

/**
 * The other studies of the patient of `studyInstanceUid`, newest first: the same PatientID among
 * the studies this server holds (an ID is unique within its issuer; studies from several issuers
 * with colliding IDs would be listed together, which the reader sees by date and description).
 * Undefined when the study is unknown; empty when it has no PatientID. StudyDate and description
 * only with `revealIdentity` (the roles that may see the patient's identity).
 */
export async function readPriorStudies(prisma: DbClient, studyInstanceUid: string, options: { revealIdentity: boolean }): Promise<PriorStudy[] | undefined> {
  const study = await prisma.study.findUnique({ where: { StudyInstanceUID: studyInstanceUid }, select: { id: true, PatientID: true } });
  if (!study) return undefined;
  const patientId = study.PatientID?.trim();
  if (!patientId) return [];
  const rows = await prisma.study.findMany({
    where: { PatientID: study.PatientID, NOT: { id: study.id } },
    orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
    take: MAX_PRIOR_STUDIES,
    select: {
      StudyInstanceUID: true,
      receivedAt: true,
      StudyDate: true,
      StudyDescription: true,
      status: true,
      outcome: true,
      flagged: true,
      escalatedAt: true,
      anyProbability: true,
      notAnalysableReason: true,
    },
  });
  return rows.map((r) => ({
    studyInstanceUid: r.StudyInstanceUID,
    receivedAt: r.receivedAt.toISOString(),
    studyDate: options.revealIdentity ? r.StudyDate : null,
    studyDescription: options.revealIdentity ? r.StudyDescription : null,
    status: r.status,
    outcome: r.outcome,
    flagged: r.flagged,
    escalated: r.escalatedAt !== null,
    anyProbability: r.anyProbability,
    notAnalysableReason: r.notAnalysableReason,
  }));
}
