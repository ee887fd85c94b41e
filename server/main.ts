import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAppError } from '@/lib/errors';
import { HuCache } from '@/server/analysis/hu-cache';
import { SliceAnalyser } from '@/server/analysis/slice-analyser';
import { AuthService, bootstrapAuth, headersFromNode } from '@/server/auth';
import { loadConfig } from '@/server/config';
import { openDatabase } from '@/server/db';
import { createHttpServer, registerServices } from '@/server/http';
import { InferenceEngine } from '@/server/inference';
import { DicomFileStore } from '@/server/ingest/dicom-file-store';
import { DimseServer } from '@/server/ingest/dimse/dimse-server';
import { IngestService } from '@/server/ingest/ingest-service';
import { QuarantineStore } from '@/server/ingest/quarantine-store';
import { recordInstance } from '@/server/ingest/record-instance';
import { createLogger } from '@/server/logging';
import { RealtimeHub } from '@/server/realtime';
import { TriagePipeline } from '@/server/triage/triage-pipeline';
import { DemoScanner } from '@/server/demo';
import { readVersion } from '@/server/version';
import { readStudyDetail } from '@/server/triage/study-query';
import { readWorklist, readWorklistItem } from '@/server/triage/worklist-query';

/**
 * The composition root: validate configuration once, create each stage, start them, and stop them
 * in reverse order on SIGINT/SIGTERM. Nothing else reads process.env. Data flows one way:
 * ingest (DIMSE) → database + queue → analysis → triage → realtime push.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });

  const version = readVersion();
  const startedAt = new Date().toISOString();
  // A model that fails its checksum or manifest stops the server here, with the reason: triage
  // without a verified model would look alive and rank nothing.
  const engine = await InferenceEngine.create({ ...config.inference, log: log.child({ stage: 'inference' }) });
  const model = { name: engine.status.name, version: engine.status.version, provider: engine.status.provider };
  const status = () => ({ version, startedAt, model });

  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: log.child({ stage: 'db' }) });
  const files = new DicomFileStore(join(config.dataDir, 'dicom'));
  const quarantine = new QuarantineStore(join(config.dataDir, 'quarantine'));

  // Users, sessions and tokens: the first admin and API_TOKENS are set up before anything listens.
  const authLog = log.child({ stage: 'auth' });
  await bootstrapAuth({
    prisma: db.prisma,
    log: authLog,
    ...config.auth,
    // The generated one-time password goes to the console for the person starting the server,
    // never into the JSON logs (which are shipped and kept).
    announce: (text) => process.stdout.write(`${text}\n`),
  });
  const auth = new AuthService({ prisma: db.prisma, log: authLog, sessionTtlMs: config.auth.sessionTtlMs, cookieSecure: config.auth.cookieSecure });

  const rootDir = fileURLToPath(new URL('..', import.meta.url));
  const http = await createHttpServer({ dev: config.env === 'development', dir: rootDir, log });
  const realtime = new RealtimeHub(
    http.server,
    { heartbeatIntervalMs: config.heartbeatIntervalMs, status, authenticate: (handshake) => auth.authenticateSocket(headersFromNode(handshake.headers)) },
    log,
  );

  const pipeline = new TriagePipeline({
    prisma: db.prisma,
    files,
    analyser: new SliceAnalyser(db.prisma, files, engine, new HuCache(config.triage.huCacheBytes)),
    model: { manifest: engine.manifest, provider: engine.status.provider },
    log: log.child({ stage: 'triage' }),
    quietPeriodMs: config.triage.quietPeriodMs,
    agingLimitMs: config.triage.agingLimitMs,
    concurrency: config.inference.maxBatch,
    onStudyChanged: (studyId, change) => {
      readWorklistItem(db.prisma, studyId).then(
        (item) => item && realtime.publishStudy(change, item),
        (err: unknown) => log.error({ err, studyId }, 'could not publish a study update'),
      );
    },
  });
  const ingest = new IngestService({
    files,
    quarantine,
    record: async (received) => {
      await recordInstance(db.prisma, received);
      pipeline.wake();
    },
    recordQuarantine: async (q) => {
      await db.prisma.quarantinedInput.create({
        data: {
          source: q.source.channel === 'dimse' ? 'c_store' : q.source.channel === 'stow' ? 'stow' : q.source.channel === 'folder' ? 'folder' : 'upload',
          origin: `${q.source.channel}:${q.source.sender}`,
          storedPath: q.relativePath,
          sizeBytes: q.size,
          sha256: q.sha256,
          errorCode: q.code,
          message: q.message.slice(0, 500),
        },
      });
    },
    log: log.child({ stage: 'ingest' }),
  });

  // The demo scanner sends through the real C-STORE path, like any modality would.
  const demoCallingAe = 'DEMOSCANNER';
  const allowed = config.dicom.allowedCallingAeTitles;
  const dimseAllowed = config.demoScanner.enabled && allowed.length > 0 ? [...allowed, demoCallingAe] : allowed;

  const dimse = new DimseServer({ port: config.dicom.port, aeTitle: config.dicom.aeTitle, allowedCallingAeTitles: dimseAllowed, ingest, log: log.child({ stage: 'dimse' }) });
  registerServices({
    status,
    worklist: () => readWorklist(db.prisma),
    study: (uid) => readStudyDetail(db.prisma, uid),
    ingest: (bytes, source) => ingest.ingest(bytes, source),
    auth,
  });
  await new Promise<void>((resolve) => http.server.listen(config.port, config.host, resolve));
  const dicomPort = await dimse.start();
  pipeline.start();
  realtime.start();
  const scanner = config.demoScanner.enabled
    ? new DemoScanner({
        target: { host: '127.0.0.1', port: dicomPort, callingAeTitle: demoCallingAe, calledAeTitle: config.dicom.aeTitle },
        ratePerMinute: config.demoScanner.ratePerMin,
        slices: config.demoScanner.slices,
        log: log.child({ stage: 'demo-scanner' }),
      })
    : undefined;
  scanner?.start();
  log.info({ port: config.port, dicomPort: dimse.port, env: config.env, version, database: db.provider }, 'server listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await scanner?.stop();
    dimse.stop();
    await pipeline.stop();
    await realtime.stop(); // also closes the http server
    await http.closeNext();
    await engine.close();
    await db.close();
    process.exit(0);
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
