import type { SystemStatus } from '@/lib/realtime-events';
import type { StudyDetail } from '@/lib/study-detail';
import type { WorklistItem } from '@/lib/worklist';
import type { AuthService } from '@/server/auth/auth-service';
import type { IngestService } from '@/server/ingest/ingest-service';

/**
 * What Next route handlers may ask of the running server. Next bundles route handlers apart from
 * the custom server's own modules, so a module-level variable would exist twice; the registry
 * lives on globalThis under one symbol instead, set once by the composition root.
 */
export interface ServerServices {
  status: () => Omit<SystemStatus, 'seq'>;
  /** The active worklist in rank order. */
  worklist: () => Promise<WorklistItem[]>;
  /** One study with its per-slice results; undefined when unknown. */
  study: (studyInstanceUid: string) => Promise<StudyDetail | undefined>;
  /** The durable ingest path (STOW-RS, uploads). */
  ingest: IngestService['ingest'];
  /** Sign-in, sessions and bearer tokens; route handlers use it through server/auth/require-auth. */
  auth: AuthService;
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
