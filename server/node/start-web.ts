import type { ModelManifest } from '@/lib/model-manifest';
import type { SystemStatus } from '@/lib/realtime-events';
import type { AuthService } from '@/server/auth';
import type { OidcSignIn } from '@/server/auth/oidc';
import { UserAdmin } from '@/server/auth/user-admin';
import { DemoScanner } from '@/server/demo';
import { registerServices, type HttpServerHandle } from '@/server/http';
import { DimseListeners } from '@/server/ingest/dimse/dimse-listeners';
import { FolderWatcher } from '@/server/ingest/folder-watcher';
import { IngestService, type ReceivedInstance } from '@/server/ingest/ingest-service';
import { QuarantineAdmin } from '@/server/ingest/quarantine-admin';
import { listQuarantine } from '@/server/ingest/quarantine-query';
import { QuarantineStore } from '@/server/ingest/quarantine-store';
import { markSeriesSent } from '@/server/ingest/mark-series-sent';
import { recordInstance } from '@/server/ingest/record-instance';
import { OutboxAdmin } from '@/server/outbox/outbox-admin-service';
import { recordQuarantinedInput } from '@/server/ingest/record-quarantine';
import { UploadService } from '@/server/ingest/upload';
import { readOperationsMetrics } from '@/server/operations/read-operations-metrics';
import { performStudyAction } from '@/server/triage/study-actions';
import { readPriorStudies } from '@/server/triage/read-prior-studies';
import { readStudyDetail } from '@/server/triage/study-query';
import { readWorklist } from '@/server/triage/worklist-query';
import { SliceViewer } from '@/server/viewer';
import { DicomwebReader, ReadWindow } from '@/server/dicomweb';
import { Readiness } from '@/server/metrics';
import { enqueueResultAfterDisagreement } from '@/server/results';
import { join } from 'node:path';
import { explainListenError, listenHttp } from './listen-errors';
import type { NodeContext, Stoppable } from './node-context';

export interface WebDeps {
  http: HttpServerHandle;
  auth: AuthService;
  oidc: OidcSignIn | undefined;
  status: () => Omit<SystemStatus, 'seq'>;
  /** The model's manifest (operating points for the study view), whichever node runs the model. */
  manifest: ModelManifest;
  /** Work was queued: wakes this process's pipeline when it runs one. */
  wakeWorker: () => void;
}

/**
 * The web node's stages: every way in (DIMSE, STOW-RS and upload through the services, the watched
 * folder, the demo scanner), the services the pages and API use, and the HTTP listener.
 */
export async function startWeb(ctx: NodeContext, deps: WebDeps): Promise<Stoppable & { dicomPort: number }> {
  const { config, log, db, files, audit } = ctx;
  const quarantine = new QuarantineStore(join(config.dataDir, 'quarantine'));
  const record = async (received: ReceivedInstance) => {
    const recorded = await recordInstance(db.prisma, received);
    deps.wakeWorker();
    // A new study shows on every dashboard at its first slice, before any score.
    if (recorded.newStudy) ctx.publishStudyChange(recorded.studyId, 'received');
    ctx.metrics?.ingested(received.source.channel, received.stored.duplicate ? 'duplicate' : 'stored');
  };
  const ingest = new IngestService({
    files,
    quarantine,
    record,
    recordQuarantine: async (entry) => {
      await recordQuarantinedInput(db.prisma, entry);
      ctx.metrics?.ingested(entry.source.channel, 'quarantined');
    },
    log: log.child({ stage: 'ingest' }),
  });
  const receive = (bytes: Uint8Array, source: { channel: string; sender: string }) => ingest.ingest(bytes, source);

  // The demo scanner sends through the real C-STORE path, like any modality would.
  const demoCallingAe = 'DEMOSCANNER';
  const allowed = config.dicom.allowedCallingAeTitles;
  const dimseAllowed = config.demoScanner.enabled && allowed.length > 0 ? [...allowed, demoCallingAe] : allowed;
  const dimse = new DimseListeners({
    port: config.dicom.port,
    tls: config.dicom.tls,
    aeTitle: config.dicom.aeTitle,
    allowedCallingAeTitles: dimseAllowed,
    maxAssociations: config.dicom.maxAssociations,
    maxInstanceBytes: config.dicom.maxInstanceBytes,
    ingest,
    log: log.child({ stage: 'dimse' }),
    // The sender's association end lets its studies complete before the quiet period (issue 15 §5).
    onAssociationReleased: async ({ seriesInstanceUids, at }) => {
      if ((await markSeriesSent(db.prisma, seriesInstanceUids, at)) > 0) deps.wakeWorker();
    },
  });

  registerServices({
    log: log.child({ stage: 'http' }),
    status: deps.status,
    worklist: (view = 'active') => readWorklist(db.prisma, view === 'active' ? 50 : 100, view),
    study: (uid, options) => readStudyDetail(db.prisma, uid, { manifest: deps.manifest, revealIdentity: options?.revealIdentity ?? false, agingLimitMs: config.triage.agingLimitMs }),
    studyExists: async (uid) => (await db.prisma.study.findUnique({ where: { StudyInstanceUID: uid }, select: { id: true } })) !== null,
    priors: (uid, options) => readPriorStudies(db.prisma, uid, options),
    ingest: receive,
    auth: deps.auth,
    oidc: deps.oidc,
    userAdmin: new UserAdmin(db.prisma, log.child({ stage: 'auth' }), audit.log, undefined, deps.auth.endings),
    viewer: new SliceViewer(db.prisma, files, ctx.decoder),
    upload: new UploadService({ limits: config.upload, ingest: receive, log: log.child({ stage: 'upload' }) }).receive,
    quarantine: (query) => listQuarantine(db.prisma, query),
    outbox: new OutboxAdmin(db.prisma, audit),
    quarantineAdmin: new QuarantineAdmin({ prisma: db.prisma, audit: audit.log, quarantine, files, record, log: log.child({ stage: 'quarantine' }) }),
    operations: (window) => readOperationsMetrics(db.prisma, window, new Date(), config.operations.alarmBands),
    audit,
    metrics: ctx.metrics,
    // Ready: database, migrations, queue, this node's DICOM listeners; the model was verified at start-up or the process would have stopped.
    readiness: new Readiness({ prisma: db.prisma, provider: db.provider, dicomListening: () => dimse.listening, modelLoaded: () => true }),
    dicomweb: { reader: new DicomwebReader(db.prisma, files), corsOrigins: config.dicomweb.corsOrigins, viewerUrlTemplate: config.dicomweb.viewerUrlTemplate, frameReads: new ReadWindow() },
    // A disagreement goes to the PACS as an updated SR when results are sent there (server/results).
    actOnStudy: (uid, request, actor) => performStudyAction(audit.log, uid, request, actor, new Date(), { ...config.triage, afterDisagreement: config.results ? enqueueResultAfterDisagreement : undefined }),
    notifyStudyChanged: (studyId) => ctx.publishStudyChange(studyId, 'updated'),
    operatingPoints: ctx.pointsInForce,
  });
  await listenHttp(deps.http.server, config.port, config.host);
  const dicomPort = await dimse.start().catch((err: unknown) => {
    const tlsPort = config.dicom.tls?.port;
    const onTls = tlsPort !== undefined && (err as { port?: unknown }).port === tlsPort;
    throw explainListenError(err, onTls ? { what: 'DICOM TLS', variable: 'DICOM_TLS_PORT', port: tlsPort } : { what: 'DICOM', variable: 'DICOM_PORT', port: config.dicom.port ?? 0 });
  });
  const scanner = config.demoScanner.enabled
    ? new DemoScanner({
        target: { host: '127.0.0.1', port: dicomPort, callingAeTitle: demoCallingAe, calledAeTitle: config.dicom.aeTitle },
        ratePerMinute: config.demoScanner.ratePerMin,
        slices: config.demoScanner.slices,
        log: log.child({ stage: 'demo-scanner' }),
      })
    : undefined;
  scanner?.start();
  const watcher = config.watchFolder ? new FolderWatcher({ ...config.watchFolder, ingest: receive, log: log.child({ stage: 'watch-folder' }) }) : undefined;
  await watcher?.start();
  return {
    dicomPort,
    stop: async () => {
      await scanner?.stop();
      await watcher?.stop();
      // Open associations finish (every slice they send is acknowledged) within the grace period.
      const cut = await dimse.drain(config.shutdownGraceMs);
      if (cut > 0) log.warn({ cut, graceMs: config.shutdownGraceMs }, 'DICOM associations still open after the shutdown grace period were cut; their senders re-send what was not acknowledged');
    },
  };
}
