import type { OperationsMetrics, OperationsWindow } from '@/lib/operations';
import type { SystemStatus } from '@/lib/realtime-events';
import type { StudyActionResult } from '@/lib/study-actions';
import type { StudyDetail } from '@/lib/study-detail';
import type { PriorStudy } from '@/lib/prior-studies';
import type { WorklistItem } from '@/lib/worklist';
import type { WorklistView } from '@/lib/worklist-view';
import type { AuditService } from '@/server/audit/audit-service';
import type { DicomwebServices } from '@/server/dicomweb/dicomweb-route';
import type { Readiness, ServerMetrics } from '@/server/metrics';
import type { AuthService } from '@/server/auth/auth-service';
import type { OidcSignIn } from '@/server/auth/oidc/oidc-sign-in';
import type { UserAdmin } from '@/server/auth/user-admin';
import type { Logger } from '@/server/logging';
import type { IngestService } from '@/server/ingest/ingest-service';
import type { QuarantineAdmin } from '@/server/ingest/quarantine-admin';
import type { QuarantinePage, QuarantineQuery } from '@/server/ingest/quarantine-query';
import type { UploadService } from '@/server/ingest/upload';
import type { SliceViewerService } from '@/server/viewer/slice-viewer';
import type { StudyActionRequest, StudyActor } from '@/server/triage/study-actions';
import type { OperatingPointsInForce } from '@/server/triage/operating-points-in-force';
import type { OutboxAdmin } from '@/server/outbox/outbox-admin-service';

/**
 * What Next route handlers may ask of the running server. Next bundles route handlers apart from
 * the custom server's own modules, so a module-level variable would exist twice; the registry
 * lives on globalThis under one symbol instead, set once by the composition root.
 */
export interface ServerServices {
  status: () => Omit<SystemStatus, 'seq'>;
  /** The worklist in rank order: the active studies, or finished ones (lib/worklist-view.ts). */
  worklist: (view?: WorklistView) => Promise<WorklistItem[]>;
  /** The same patient's other studies (lib/prior-studies.ts); undefined when the study is unknown. Optional for tests that do not use it. */
  priors?: ((studyInstanceUid: string, options: { revealIdentity: boolean }) => Promise<PriorStudy[] | undefined>) | undefined;
  /** One study with its per-slice results; undefined when unknown. */
  study: (studyInstanceUid: string, options?: { revealIdentity?: boolean }) => Promise<StudyDetail | undefined>;
  /** Whether a study was received here (one indexed read, for the study page's 404). */
  studyExists: (studyInstanceUid: string) => Promise<boolean>;
  /** The durable ingest path (STOW-RS, uploads). */
  ingest: IngestService['ingest'];
  /** Dashboard uploads (files or zips) within the configured limits. */
  upload: UploadService['receive'];
  /** Quarantined inputs for the admin view, newest first. */
  quarantine: (query: QuarantineQuery) => Promise<QuarantinePage>;
  /** Download, delete and re-ingest of quarantined inputs (admins); optional for tests that do not use it. */
  quarantineAdmin?: QuarantineAdmin | undefined;
  /** The server's logger; route() logs unexpected errors to it (a fallback logger when absent). */
  log?: Logger | undefined;
  /** Sign-in, sessions and bearer tokens; route handlers use it through server/http/route.ts. */
  auth: AuthService;
  /** OIDC single sign-on; absent when OIDC_ISSUER is unset (its routes then answer 404). */
  oidc?: OidcSignIn | undefined;
  /** Admin changes to accounts (role, disable, unlock); optional so tests that do not use it leave it out. */
  userAdmin?: UserAdmin | undefined;
  /** The operations page's figures over a window ending now. */
  operations: (window: OperationsWindow) => Promise<OperationsMetrics>;
  /** Stored slices as HU and their localization maps, for the study view. */
  viewer: SliceViewerService;
  /** The hash-chained audit journal: record, read, export. */
  audit: AuditService;
  /** DICOMweb reads (QIDO-RS, WADO-RS) for viewers; absent on nodes or in tests that do not serve them (404). */
  dicomweb?: DicomwebServices | undefined;
  /** This process's Prometheus metrics (GET /metrics) and readiness checks (GET /api/health/ready). */
  metrics?: ServerMetrics | undefined;
  readiness?: Readiness | undefined;
  /** A clinician action on a study with its audit entry (server/triage/study-actions.ts); throws AppError. */
  actOnStudy: (studyInstanceUid: string, request: StudyActionRequest, actor: StudyActor) => Promise<{ studyId: string; result: StudyActionResult }>;
  /** Pushes a study's current worklist row to every dashboard (after an action changed it). */
  notifyStudyChanged: (studyId: string) => void;
  /** The study-level operating points in force, for the operations page and the admin change; absent in tests that do not use it. */
  operatingPoints?: OperatingPointsInForce | undefined;
  /** Outgoing alerts and results for admins: list, retry (server/outbox); absent in tests that do not use it. */
  outbox?: OutboxAdmin | undefined;
}

const KEY = Symbol.for('ich-triage.services');
type WithServices = typeof globalThis & { [KEY]?: ServerServices };

/** Publishes the services for route handlers; called once by server/main.ts. */
export function registerServices(services: ServerServices): void {
  (globalThis as WithServices)[KEY] = services;
}

/** The running server's services, or undefined when Next runs without the custom server. */
export function getServices(): ServerServices | undefined {
  return (globalThis as WithServices)[KEY];
}
