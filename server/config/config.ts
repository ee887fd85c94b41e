import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { parseApiTokens, type BootstrapToken } from '@/server/auth/parse-api-tokens';
import type { CookieSecureMode } from '@/server/auth/session-cookie';
import { AUDIT_ENV, readAuditSettings, type AuditSettings } from '@/server/audit/audit-env';
import { OIDC_ENV, readOidcSettings, type OidcSettings } from '@/server/auth/oidc/oidc-env';
import { HTTP_ENV, readHttpSettings, type HttpSettings } from '@/server/http/http-env';
import { EXECUTION_PROVIDERS, type ExecutionProvider } from '@/server/inference/execution-provider';
import { DIMSE_ENV, readDimseSettings, type DimseTlsSettings } from '@/server/ingest/dimse/dimse-env';
import { DICOMWEB_ENV } from '@/server/dicomweb/dicomweb-env';
import { OPERATIONS_ENV, readOperationsAlarmBands } from '@/server/operations/operations-env';
import type { OperationsAlarmBands } from '@/lib/operations';
import { WORKER_HTTP_ENV } from '@/server/node/worker-http-env';
import { readResultsSettings, RESULTS_ENV } from '@/server/results/results-env';
import type { ResultsTargets } from '@/server/results/send-dicom-result';
import { NOTIFY_ENV, readNotifySettings, type NotifySettings } from '@/server/notify/notify-env';
import { DEFAULT_MODEL_MANIFEST } from './defaults';

const onOff = (fallback: 'on' | 'off') =>
  z.enum(['on', 'off']).default(fallback).transform((v) => v === 'on');
const port = z.coerce.number().int().min(0).max(65535);
const MIB = 1024 * 1024;

/** Every environment variable the server reads, with safe defaults for the embedded mode. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: port.default(3000),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Seconds between realtime heartbeats; clients use them to show the connection is alive. */
  HEARTBEAT_INTERVAL_S: z.coerce.number().positive().max(3600).default(5),
  /** Seconds between prunes of realtime events past their retention (every node prunes). */
  JOURNAL_PRUNE_INTERVAL_S: z.coerce.number().min(0.1).max(86_400).default(3600),
  /** A claimed job's lease, seconds, renewed every third of it while the work runs; a dead worker's jobs come back after it. */
  JOB_LEASE_S: z.coerce.number().min(0.5).max(3600).default(15),
  /** SIGTERM/SIGINT: how long open DICOM associations may run to their end before they are cut. */
  SHUTDOWN_GRACE_S: z.coerce.number().min(0).max(600).default(10),
  /** Seconds between retention sweeps of stored DICOM; unset: a tenth of the retention period (1 min to 1 h). */
  RETENTION_SWEEP_INTERVAL_S: z.coerce.number().min(0.1).max(86_400).optional(),
  DEMO_SCANNER: onOff('on'),
  /** postgresql://… for PostgreSQL (scale-out); unset: the embedded SQLite file under DATA_DIR. */
  DATABASE_URL: z.string().min(1).optional(),
  /** The DICOM listeners (C-STORE, C-ECHO), plain and over TLS (server/ingest/dimse/dimse-env.ts). */
  ...DIMSE_ENV,
  /** The operations page's alarm bands (server/operations/operations-env.ts). */
  ...OPERATIONS_ENV,
  DICOM_AE_TITLE: z.string().regex(/^[\x20-\x7e]{1,16}$/, '1 to 16 printable ASCII characters').default('ICHTRIAGE'),
  /** Calling AE titles allowed to send, comma-separated; empty accepts any (embedded/demo mode). */
  DICOM_ALLOWED_CALLING_AE: z.string().default(''),
  /** Simultaneous DICOM associations; more are refused at connect. */
  DICOM_MAX_ASSOCIATIONS: z.coerce.number().int().min(1).max(1000).default(32),
  /** Largest DICOM instance accepted over C-STORE (MB); a CT slice is ~0.5 MB, an enhanced multi-frame CT series can be hundreds. */
  DICOM_MAX_INSTANCE_MB: z.coerce.number().positive().max(16 * 1024).default(1024),
  /** A study is complete once no slice arrived for this long. */
  STUDY_QUIET_PERIOD_S: z.coerce.number().min(0.5).max(3600).default(5),
  /** Complete sooner than the quiet period when the series covers the head or its association was released (server/triage/series-completion-decision.ts). */
  STUDY_EARLY_COMPLETION: onOff('on'),
  /** The early signals count once no slice arrived for this long (a streaming sender leaves milliseconds between slices). */
  STUDY_SETTLE_S: z.coerce.number().min(0.1).max(60).default(0.5),
  /** Unreviewed studies waiting longer than this move up the worklist. */
  AGING_LIMIT_MIN: z.coerce.number().min(1).max(24 * 60).default(30),
  /** Seconds during which a clinician may undo their own last action on a study; 0 turns undo off. */
  STUDY_UNDO_WINDOW_S: z.coerce.number().min(0).max(3600).default(120),
  /** Decoded slices kept in memory for a study's final pass. */
  HU_CACHE_MB: z.coerce.number().int().min(16).max(65536).default(512),
  /** Decode worker threads (DICOM decoding, tensors, viewer slices); 0 decodes on the event loop. Default min(4, cores - 1), at least 1. */
  DECODE_WORKERS: z.coerce.number().int().min(0).max(64).optional(),
  /** A decode task running longer than this has its worker terminated (a WASM codec cannot be interrupted); the slice fails DICOM_DECODE_TIMEOUT. */
  DECODE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  DEMO_SCANNER_RATE_PER_MIN: z.coerce.number().min(0.1).max(600).default(2),
  /** Slices per demo study: N, or MIN-MAX drawn per study. */
  DEMO_SCANNER_SLICES: z
    .string()
    .regex(/^\d{1,3}(-\d{1,3})?$/, 'N or MIN-MAX')
    .default('24-32')
    .transform((v) => {
      const [min, max = min] = v.split('-').map(Number) as [number, number?];
      return { min, max };
    })
    .refine((r) => r.min >= 1 && r.max <= 512 && r.min <= r.max, 'slices must satisfy 1 <= MIN <= MAX <= 512'),
  /** The model's manifest; the ONNX file sits beside it and must match its sha256. */
  MODEL_MANIFEST: z.string().min(1).default(DEFAULT_MODEL_MANIFEST),
  /** Execution providers in order of preference; the first that starts is used. */
  INFERENCE_PROVIDERS: z
    .string()
    .default('cuda,webgpu,cpu')
    .transform((v) => v.split(',').map((p) => p.trim()).filter(Boolean))
    .pipe(z.array(z.enum(EXECUTION_PROVIDERS)).min(1)),
  /** Slices per model run at most, and how long a run waits for more slices to fill a batch. */
  INFERENCE_MAX_BATCH: z.coerce.number().int().min(1).max(256).default(16),
  INFERENCE_MAX_WAIT_MS: z.coerce.number().min(0).max(1000).default(5),
  /** ONNX Runtime intra-op threads; default: one per core, so decoding and inference share them. */
  INFERENCE_THREADS: z.coerce.number().int().min(1).max(256).optional(),
  /** The first admin's username, created when the database has no user. */
  ADMIN_USERNAME: z.string().trim().regex(/^[A-Za-z0-9_.@-]{1,64}$/, '1 to 64 of A-Z a-z 0-9 _ . @ -').default('admin'),
  /** The first admin's initial password (first start only; must be changed at first sign-in). Unset: a one-time password is printed. */
  ADMIN_PASSWORD: z.string().min(12, 'at least 12 characters').max(256).optional(),
  /** Service-account bearer tokens, comma-separated `name:role:token` (server/auth/parse-api-tokens.ts). */
  API_TOKENS: z.string().default(''),
  /** Idle lifetime of a sign-in session, hours. */
  SESSION_TTL_H: z.coerce.number().positive().max(24 * 30).default(12),
  /** Sign-in attempts one client address may make per 10 minutes (any accounts). */
  LOGIN_ADDRESS_LIMIT: z.coerce.number().int().min(1).max(100_000).default(20),
  /** Secure flag of the session cookie: auto (when the request is https), on, off. */
  COOKIE_SECURE: z.enum(['auto', 'on', 'off']).default('auto'),
  /** POST /api/upload: the whole request (it is held in memory while a zip is read), MiB. */
  UPLOAD_MAX_MB: z.coerce.number().positive().max(16 * 1024).default(512),
  /** Files in one upload, zip entries included. */
  UPLOAD_MAX_FILES: z.coerce.number().int().min(1).max(100_000).default(5000),
  /** Everything an upload's zips expand to, together, MiB (zip bombs). */
  UPLOAD_MAX_UNCOMPRESSED_MB: z.coerce.number().positive().max(64 * 1024).default(2048),
  /** Largest uncompressed/compressed ratio of one zip entry (zip bombs); CT compresses ~2-20x. */
  UPLOAD_MAX_COMPRESSION_RATIO: z.coerce.number().min(2).max(10_000).default(200),
  /** A folder to poll for DICOM files (e.g. a share a modality exports to); unset: off. */
  WATCH_DIR: z.string().min(1).optional(),
  /** Seconds between polls of WATCH_DIR; a file is taken once its size and mtime held for one poll. */
  WATCH_POLL_S: z.coerce.number().min(0.1).max(3600).default(2),
  /**
   * Days stored DICOM is kept (results, scores and the audit trail stay); 0 keeps it forever.
   * Unset: 7 days, or 2 hours while the demo scanner runs (it sends ~1.7 GB of phantoms an hour).
   */
  DICOM_RETENTION_DAYS: z.coerce.number().min(0).max(36_500).optional(),
  /**
   * What this process runs: `all` (one node), `web` (pages, API, sockets, DICOM listener, ingest)
   * or `worker` (analysis, triage, retention). Web and worker nodes share one PostgreSQL.
   */
  SERVER_ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  /** Optional OpenID Connect single sign-on (server/auth/oidc/oidc-env.ts). */
  ...OIDC_ENV,
  /** DICOMweb CORS and the study page's viewer link (server/dicomweb/dicomweb-env.ts). */
  ...DICOMWEB_ENV,
  /** Reverse proxies, allowed Host names and the public origin (server/http/http-env.ts). */
  ...HTTP_ENV,
  /** The audit journal's signed checkpoints (server/audit/audit-env.ts). */
  ...AUDIT_ENV,
  /** Alerts that leave the browser (webhook, FHIR R4) and the outbox that delivers them (server/notify/notify-env.ts). */
  ...NOTIFY_ENV,
  /** A worker node's health and metrics port (server/node/worker-http-env.ts). */
  ...WORKER_HTTP_ENV,
  /** Where AI results go as DICOM SR: C-STORE and/or STOW-RS (server/results/results-env.ts). */
  ...RESULTS_ENV,
});

export type Config = {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  dataDir: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  heartbeatIntervalMs: number;
  journalPruneIntervalMs: number;
  shutdownGraceMs: number;
  demoScanner: { enabled: boolean; ratePerMin: number; slices: { min: number; max: number } };
  databaseUrl: string | undefined;
  /** `port` undefined: the plain listener is off; `tls` undefined: no TLS listener. */
  dicom: { port: number | undefined; tls: DimseTlsSettings | undefined; aeTitle: string; allowedCallingAeTitles: string[]; maxAssociations: number; maxInstanceBytes: number };
  triage: { quietPeriodMs: number; agingLimitMs: number; huCacheBytes: number; jobLeaseMs: number; undoWindowMs: number; earlyCompletion: boolean; settleMs: number };
  /** `workers` 0: decoding runs inline on the event loop (no watchdog). */
  decode: { workers: number; timeoutMs: number };
  inference: {
    manifestPath: string;
    providers: ExecutionProvider[];
    maxBatch: number;
    maxWaitMs: number;
    intraOpThreads: number;
  };
  auth: {
    adminUsername: string;
    /** Read only while the database has no user. */
    adminPassword: string | undefined;
    apiTokens: BootstrapToken[];
    sessionTtlMs: number;
    /** Sign-in attempts per client address per 10 minutes. */
    loginAddressLimit: number;
    cookieSecure: CookieSecureMode;
  };
  upload: { maxRequestBytes: number; maxFiles: number; maxUncompressedBytes: number; maxCompressionRatio: number };
  /** The watched folder; undefined when WATCH_DIR is unset. */
  watchFolder: { dir: string; pollIntervalMs: number } | undefined;
  /** OpenID Connect single sign-on; undefined when OIDC_ISSUER is unset. */
  oidc: OidcSettings | undefined;
  /** Origins allowed to call /dicomweb from a browser; the study page's "open in viewer" link template (undefined: none). */
  dicomweb: { corsOrigins: string[]; viewerUrlTemplate: string | undefined };
  /** What the HTTP edge believes and allows: TRUSTED_PROXIES, ALLOWED_HOSTS, PUBLIC_URL. */
  http: HttpSettings;
  /** The audit journal's anchor outside the database: signing key, checkpoint file, interval. */
  audit: AuditSettings;
  serverRole: 'all' | 'web' | 'worker';
  /** A `worker` node's health and metrics port (WORKER_HTTP_PORT); undefined: none (`off`). */
  workerHttpPort: number | undefined;
  /** How long stored DICOM files are kept; undefined keeps them forever. */
  retention: { retentionMs: number; sweepIntervalMs: number } | undefined;
  /** The bands the operations page's alarms hold rates to. */
  operations: { alarmBands: OperationsAlarmBands };
  /** Webhook and FHIR targets, the PHI policy of alerts, and the outbox's retry settings. */
  notify: NotifySettings;
  /** Where AI results are sent as DICOM (RESULTS_DICOM_TARGET, RESULTS_STOW_URL); undefined: not sent. */
  results: ResultsTargets | undefined;
};

/** Validates the environment once at start-up; throws CONFIG_INVALID naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new AppError('CONFIG_INVALID', `invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const oidc = readOidcSettings(e);
  const dimse = readDimseSettings(e);
  const http = readHttpSettings(e);
  const operations = readOperationsAlarmBands(e);
  const results = readResultsSettings(e, e.DICOM_AE_TITLE);
  const problems = [...oidc.problems, ...dimse.problems, ...http.problems, ...operations.problems, ...results.problems];
  const notify = readNotifySettings(e);
  problems.push(...notify.problems);
  if (problems.length > 0) throw new AppError('CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`);
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    dataDir: path.resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    heartbeatIntervalMs: Math.round(e.HEARTBEAT_INTERVAL_S * 1000),
    journalPruneIntervalMs: Math.round(e.JOURNAL_PRUNE_INTERVAL_S * 1000),
    shutdownGraceMs: Math.round(e.SHUTDOWN_GRACE_S * 1000),
    demoScanner: { enabled: e.DEMO_SCANNER, ratePerMin: e.DEMO_SCANNER_RATE_PER_MIN, slices: e.DEMO_SCANNER_SLICES },
    databaseUrl: e.DATABASE_URL,
    dicom: {
      port: dimse.port,
      tls: dimse.tls,
      aeTitle: e.DICOM_AE_TITLE,
      allowedCallingAeTitles: e.DICOM_ALLOWED_CALLING_AE.split(',').map((t) => t.trim()).filter(Boolean),
      maxAssociations: e.DICOM_MAX_ASSOCIATIONS,
      maxInstanceBytes: Math.round(e.DICOM_MAX_INSTANCE_MB * MIB),
    },
    triage: { quietPeriodMs: e.STUDY_QUIET_PERIOD_S * 1000, agingLimitMs: e.AGING_LIMIT_MIN * 60_000, huCacheBytes: e.HU_CACHE_MB * 1024 * 1024, jobLeaseMs: Math.round(e.JOB_LEASE_S * 1000), undoWindowMs: Math.round(e.STUDY_UNDO_WINDOW_S * 1000), earlyCompletion: e.STUDY_EARLY_COMPLETION, settleMs: Math.round(Math.min(e.STUDY_SETTLE_S, e.STUDY_QUIET_PERIOD_S) * 1000) },
    decode: { workers: e.DECODE_WORKERS ?? defaultDecodeWorkers(os.availableParallelism()), timeoutMs: e.DECODE_TIMEOUT_MS },
    inference: {
      manifestPath: path.resolve(e.MODEL_MANIFEST),
      providers: e.INFERENCE_PROVIDERS,
      maxBatch: e.INFERENCE_MAX_BATCH,
      maxWaitMs: e.INFERENCE_MAX_WAIT_MS,
      intraOpThreads: e.INFERENCE_THREADS ?? os.availableParallelism(),
    },
    auth: {
      adminUsername: e.ADMIN_USERNAME,
      adminPassword: e.ADMIN_PASSWORD,
      apiTokens: parseApiTokens(e.API_TOKENS),
      sessionTtlMs: e.SESSION_TTL_H * 3_600_000,
      loginAddressLimit: e.LOGIN_ADDRESS_LIMIT,
      cookieSecure: e.COOKIE_SECURE,
    },
    upload: {
      maxRequestBytes: Math.round(e.UPLOAD_MAX_MB * MIB),
      maxFiles: e.UPLOAD_MAX_FILES,
      maxUncompressedBytes: Math.round(e.UPLOAD_MAX_UNCOMPRESSED_MB * MIB),
      maxCompressionRatio: e.UPLOAD_MAX_COMPRESSION_RATIO,
    },
    watchFolder: e.WATCH_DIR ? { dir: path.resolve(e.WATCH_DIR), pollIntervalMs: Math.round(e.WATCH_POLL_S * 1000) } : undefined,
    oidc: oidc.settings,
    dicomweb: { corsOrigins: e.DICOMWEB_CORS_ORIGINS, viewerUrlTemplate: e.VIEWER_URL_TEMPLATE },
    http: http.settings,
    audit: readAuditSettings(e, path.resolve(e.DATA_DIR)),
    serverRole: e.SERVER_ROLE,
    workerHttpPort: e.WORKER_HTTP_PORT,
    retention: retentionOf(e.DICOM_RETENTION_DAYS ?? (e.DEMO_SCANNER ? 2 / 24 : 7), e.RETENTION_SWEEP_INTERVAL_S),
    operations: { alarmBands: operations.bands },
    notify: notify.settings,
    results: results.results,
  };
}

function retentionOf(days: number, sweepIntervalS: number | undefined): Config['retention'] {
  if (days === 0) return undefined;
  const retentionMs = Math.round(days * 86_400_000);
  // Sweep often enough that files outlive the period by at most a tenth of it (between 1 min and 1 h).
  const derivedMs = Math.min(3_600_000, Math.max(60_000, Math.round(retentionMs / 10)));
  return { retentionMs, sweepIntervalMs: sweepIntervalS === undefined ? derivedMs : Math.round(sweepIntervalS * 1000) };
}

/**
 * Decode workers by default: none (inline) below 4 cores, because on 2 cores one decode worker
 * competing with inference for the cores made time to notification 3-7x worse in bench:burst
 * (README); from 4 cores, leave two to inference and the event loop, at most 4. Whoever needs the
 * watchdog on a small machine (untrusted JPEG 2000 senders) sets DECODE_WORKERS=1 knowingly.
 */
export function defaultDecodeWorkers(cores: number): number {
  return cores < 4 ? 0 : Math.min(4, cores - 2);
}
