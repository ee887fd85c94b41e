import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAppError } from '@/lib/errors';
import { AuditAnchor, AuditService } from '@/server/audit';
import { AuthService, bootstrapAuth, headersFromNode, LoginThrottle } from '@/server/auth';
import { OidcSignIn } from '@/server/auth/oidc';
import { loadConfig } from '@/server/config';
import { openDatabase, resolveDatabaseTarget } from '@/server/db';
import { createHttpServer, type HttpServerHandle } from '@/server/http';
import { InferenceEngine, loadVerifiedModel } from '@/server/inference';
import { DicomFileStore, removeStaleTempFiles } from '@/server/files';
import { createLogger } from '@/server/logging';
import { createSliceDecoder } from '@/server/decode-pool';
import { Readiness, ServerMetrics } from '@/server/metrics';
import { installFailFast } from '@/server/node/install-fail-fast';
import { readyBanner } from '@/server/node/ready-banner';
import { startWeb } from '@/server/node/start-web';
import { startWorker, type WorkerStages } from '@/server/node/start-worker';
import { startWorkerHttp } from '@/server/node/worker-http';
import { createPostgresFanout, createStudyPublisher, EventJournal, RealtimeHub } from '@/server/realtime';
import { loadSiteOperatingPoints, SITE_OPERATING_POINTS_FILE } from '@/server/inference/site-operating-points';
import { OperatingPointsInForce } from '@/server/triage/operating-points-in-force';
import { readWorklistItem } from '@/server/triage/worklist-query';
import { readVersion } from '@/server/version';

/**
 * The composition root: validate configuration once, create each stage, start them, and stop them
 * in reverse order on SIGINT/SIGTERM. Nothing else reads process.env. Data flows one way:
 * ingest → database + queue → analysis → triage → realtime push. SERVER_ROLE picks the stages:
 * `all` runs everything in one process; `web` and `worker` split them across processes that share
 * one database (server/node/).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  installFailFast(log);
  mkdirSync(config.dataDir, { recursive: true });
  const runsWeb = config.serverRole !== 'worker';
  const runsWorker = config.serverRole !== 'web';

  const version = readVersion();
  const startedAt = new Date().toISOString();
  // A model that fails its checksum or manifest stops the process here, with the reason: triage
  // without a verified model would look alive and rank nothing. Web nodes verify it too, for the
  // operating points they show, but never run it.
  const engine = runsWorker ? await InferenceEngine.create({ ...config.inference, log: log.child({ stage: 'inference' }) }) : undefined;
  const manifest = engine?.manifest ?? (await loadVerifiedModel(config.inference.manifestPath)).manifest;
  // Absent intendedUse reads as research: the UI's badge must not vanish because a field was left out.
  const model = { name: manifest.name, version: manifest.version, provider: engine?.status.provider ?? 'worker nodes', intendedUse: manifest.intendedUse ?? 'research' };
  const status = () => ({ version, startedAt, model });

  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: log.child({ stage: 'db' }) });
  const files = new DicomFileStore(join(config.dataDir, 'dicom'));
  // A kill mid-write leaves a temporary file that is never renamed into place (DICOM and quarantine
  // both live under DATA_DIR). In the background: it walks every stored file, and start-up need not wait.
  removeStaleTempFiles(config.dataDir).then(
    (removed) => removed > 0 && log.info({ removed }, 'removed temporary files left by an interrupted write'),
    (err: unknown) => log.warn({ err }, 'could not clean up temporary files'),
  );
  const audit = new AuditService({ prisma: db.prisma, provider: db.provider });
  // The journal's head, signed with a key kept outside the database, into DATA_DIR (npm run audit:verify).
  const auditAnchor = await AuditAnchor.open({ prisma: db.prisma, keyPath: config.audit.signingKeyPath, file: config.audit.checkpointFile, log: log.child({ stage: 'audit' }) });
  auditAnchor.start(config.audit.checkpointIntervalMs);

  // Users, sessions and tokens: the first admin and API_TOKENS are set up before anything listens.
  let web: { http: HttpServerHandle; auth: AuthService; oidc: OidcSignIn | undefined } | undefined;
  let generatedAdmin: string | undefined;
  if (runsWeb) {
    const authLog = log.child({ stage: 'auth' });
    const report = await bootstrapAuth({
      prisma: db.prisma,
      log: authLog,
      ...config.auth,
      // The generated one-time password goes to the console for the person starting the server,
      // never into the JSON logs (which are shipped and kept).
      announce: (text) => process.stdout.write(`${text}\n`),
    });
    if (report.adminCreated === 'generated') generatedAdmin = report.adminUsername ?? undefined;
    const auth = new AuthService({ prisma: db.prisma, log: authLog, sessionTtlMs: config.auth.sessionTtlMs, cookieSecure: config.auth.cookieSecure, throttle: new LoginThrottle({ prisma: db.prisma, limit: config.auth.loginAddressLimit }) });
    // Single sign-on when configured. Discovery starts now but is not awaited: an unreachable IdP logs
    // an error and is retried at the next sign-in click; the server and password sign-in start anyway.
    const oidc = config.oidc ? new OidcSignIn({ ...config.oidc, prisma: db.prisma, auth, log: log.child({ stage: 'oidc' }) }) : undefined;
    void oidc?.discover();
    const rootDir = fileURLToPath(new URL('..', import.meta.url));
    web = { http: await createHttpServer({ dev: config.env === 'development', dir: rootDir, log, http: config.http }), auth, oidc };
  }

  // PostgreSQL means possibly several nodes: their Socket.IO servers fan events out to each other.
  // A worker has no clients of its own; its hub records events and hands them to the web nodes.
  const dbTarget = resolveDatabaseTarget({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const realtimeLog = log.child({ stage: 'realtime' });
  const fanout = dbTarget.provider === 'postgresql' ? await createPostgresFanout({ url: dbTarget.url, schema: dbTarget.schema, log: realtimeLog }) : undefined;
  const auth = web?.auth;
  const realtime = new RealtimeHub(
    web?.http.server,
    {
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      pruneIntervalMs: config.journalPruneIntervalMs,
      status,
      authenticate: async (handshake) => (auth ? auth.authenticateSocket(headersFromNode(handshake.headers)) : null),
      journal: new EventJournal(db.prisma, db.provider),
      fanout,
      // Sessions that ended or expired lose their sockets: at once when announced, else at the next check.
      liveSessions: auth ? (sessions) => auth.liveSessions(sessions) : undefined,
    },
    realtimeLog,
  );
  auth?.endings.listen((ended) => realtime.disconnectSessions(ended));

  // Prometheus metrics (GET /metrics): the publisher is wrapped to time each triage, the engine reports each run.
  const metrics = new ServerMetrics({ prisma: db.prisma, role: config.serverRole, socketClients: web ? () => realtime.clientCount : undefined });
  if (engine) engine.onBatch = metrics.observeBatch;
  const publishStudyChange = metrics.watchStudyChanges(createStudyPublisher(realtime, (studyId) => readWorklistItem(db.prisma, studyId, { rank: false }), realtimeLog));
  // The site's own study operating points (npm run calibrate), beside the manifest; refused with one
  // log line when they belong to another model. An admin's later change (database) wins over both.
  const site = await loadSiteOperatingPoints(join(config.dataDir, SITE_OPERATING_POINTS_FILE), manifest, log.child({ stage: 'inference' }));
  const pointsInForce = new OperatingPointsInForce({ prisma: db.prisma, manifest, site });
  // Decoding and tensor building on worker threads (DECODE_WORKERS; 0: inline), shared by the
  // analysis and the viewer, so neither stalls the loop that acknowledges C-STORE and serves the API.
  const decoder = createSliceDecoder(config.decode, log.child({ stage: 'decode' }));
  const ctx = { config, log, db, files, audit, publishStudyChange, pointsInForce, metrics, decoder };

  // A worker-only node has no Next server: a small port of its own for health probes and scrapes
  // (WORKER_HTTP_PORT), checking sessions and tokens against the web nodes' database. Opened before
  // the pipeline starts, so a port already taken stops the node before it claims any work.
  const workerHttp =
    !web && config.workerHttpPort !== undefined
      ? await startWorkerHttp({
          port: config.workerHttpPort,
          host: config.host,
          http: config.http,
          auth: new AuthService({ prisma: db.prisma, log: log.child({ stage: 'auth' }), sessionTtlMs: config.auth.sessionTtlMs, cookieSecure: config.auth.cookieSecure }),
          readiness: new Readiness({ prisma: db.prisma, provider: db.provider, modelLoaded: () => true }),
          metrics,
          log: log.child({ stage: 'http' }),
        })
      : undefined;
  const worker: WorkerStages | undefined = engine ? startWorker(ctx, engine) : undefined;
  const webStages = web ? await startWeb(ctx, { ...web, status, manifest, wakeWorker: () => worker?.wake() }) : undefined;
  realtime.start();
  log.info({ role: config.serverRole, port: web ? config.port : workerHttp?.port, dicomPort: webStages?.dicomPort, env: config.env, version, database: db.provider }, 'server listening');
  // For the person at the console: where to go next (stdout, outside the JSON logs).
  process.stdout.write(readyBanner({ role: config.serverRole, host: config.host, port: config.port, dicomPort: webStages?.dicomPort || undefined, aeTitle: config.dicom.aeTitle, generatedAdmin, workerHttpPort: workerHttp?.port }));

  // SIGTERM and SIGINT drain: the DICOM listener takes no new association and lets the open ones
  // finish (store-then-ack), the pipeline finishes the batch it holds (its jobs are then done, no
  // lease left behind), the HTTP server and sockets close, then the database. Exit 0 when every
  // step succeeded; a second signal, or a drain past its deadline, exits 1 at once.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal while shutting down: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
    const deadline = setTimeout(() => {
      log.fatal({ signal }, 'shutdown did not finish in time: exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 20_000);
    deadline.unref();
    let failed = false;
    const step = async (name: string, run: () => Promise<unknown> | undefined) => {
      try {
        await run();
      } catch (err) {
        failed = true;
        log.error({ err, step: name }, 'shutdown step failed');
      }
    };
    await step('ingest', () => webStages?.stop());
    await step('pipeline', () => worker?.stop());
    await step('worker http', () => workerHttp?.stop());
    await step('realtime and http', () => realtime.stop()); // also closes the http server
    await step('next', () => web?.http.closeNext());
    await step('inference', () => engine?.close());
    await step('decode workers', () => decoder.close());
    await step('audit anchor', () => auditAnchor.stop());
    await step('database', () => db.close());
    log.info({ signal, ok: !failed }, 'stopped');
    process.exit(failed ? 1 : 0);
  };
  process.on('SIGINT', (s) => void stop(s));
  process.on('SIGTERM', (s) => void stop(s));
}

main().catch((err: unknown) => {
  // The logger may not exist yet (bad config): print one JSON line ourselves.
  const error = isAppError(err) ? err.toJSON() : { code: 'INTERNAL', message: String(err) };
  console.error(JSON.stringify({ level: 'fatal', msg: 'server failed to start', error }));
  process.exit(1);
});
