import type { DbClient } from '@/server/db';
import type { DicomFileStore } from '@/server/files';
import type { Logger } from '@/server/logging';
import type { OutboxDispatcher } from '@/server/outbox';
import { dicomResultsDeliverer, dicomResultsPayloadSchema, DICOM_RESULTS_KIND, enqueueDicomResult } from './dicom-results-outbox';
import type { ResultsTargets } from './send-dicom-result';

/**
 * Turns on results to PACS on a worker node when a target is configured: the dicom-results
 * deliverer on the node's outbox dispatcher, and the triage hook that queues each decided study's
 * SR. Call before `dispatcher.start()` (server/outbox/start-outbox.ts).
 */
export function registerDicomResults(
  outbox: { dispatcher: Pick<OutboxDispatcher, 'registerDeliverer'>; afterDecision: { push(hook: typeof enqueueDicomResult): number } },
  deps: { prisma: DbClient; files: DicomFileStore; targets: ResultsTargets | undefined; aeTitle: string; softwareVersion: string; log: Logger },
): void {
  if (!deps.targets) return;
  const software = { manufacturer: 'ich-triage', softwareVersion: deps.softwareVersion, aeTitle: deps.aeTitle };
  outbox.dispatcher.registerDeliverer(DICOM_RESULTS_KIND, dicomResultsDeliverer({ prisma: deps.prisma, files: deps.files, targets: deps.targets, software }), dicomResultsPayloadSchema);
  outbox.afterDecision.push(enqueueDicomResult);
  const { dimse, stow } = deps.targets;
  // Where, not who: no token, no patient data.
  deps.log.info({ cStore: dimse ? `${dimse.calledAeTitle}@${dimse.host}:${dimse.port}` : null, stow: stow ? new URL(stow.url).origin : null }, 'AI results are sent to PACS as DICOM SR');
}
