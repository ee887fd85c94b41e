import type { StudyChange } from '@/lib/realtime-events';
import type { WorklistItem } from '@/lib/worklist';
import type { Logger } from '@/server/logging';
import type { RealtimeHub } from './realtime-hub';

/** Announces that a study changed; fire and forget (the pipeline and routes never wait on sockets). */
export type PublishStudyChange = (studyId: string, change: StudyChange) => void;

/**
 * The one path from "a study changed" to every dashboard, for the pipeline's updates and people's
 * actions alike: read the study's current worklist row, then record and push it. The row reader
 * is passed in (the triage stage owns the query), so realtime does not depend on triage.
 */
export function createStudyPublisher(
  hub: Pick<RealtimeHub, 'publishStudy'>,
  readItem: (studyId: string) => Promise<WorklistItem | undefined>,
  log: Logger,
): PublishStudyChange {
  return (studyId, change) => {
    readItem(studyId)
      .then((item) => item && hub.publishStudy(change, item))
      .catch((err: unknown) => log.error({ err, studyId }, 'could not publish a study update'));
  };
}
