import type { StudyChange } from '@/lib/realtime-events';
import type { AuditService } from '@/server/audit';
import type { Config } from '@/server/config';
import type { Database } from '@/server/db';
import type { SliceDecoder } from '@/server/decode-pool';
import type { DicomFileStore } from '@/server/files';
import type { Logger } from '@/server/logging';
import type { ServerMetrics } from '@/server/metrics';
import type { OperatingPointsInForce } from '@/server/triage/operating-points-in-force';

/** What the web and worker stages of one process share (server/main.ts builds it). */
export interface NodeContext {
  config: Config;
  log: Logger;
  db: Database;
  files: DicomFileStore;
  audit: AuditService;
  /** Reads a study's worklist row and pushes it to every dashboard (through the journal). */
  publishStudyChange: (studyId: string, change: StudyChange) => void;
  /** The study-level operating points in force (admin change, site calibration or manifest); absent: the manifest's. */
  pointsInForce?: OperatingPointsInForce | undefined;
  /** Where decoding and tensors run (the worker pool); absent: inline on the event loop (tests). */
  decoder?: SliceDecoder | undefined;
  /** Prometheus metrics of this process (GET /metrics); absent in tests that do not count. */
  metrics?: ServerMetrics | undefined;
}

/** A started part of the process; `stop` ends it (called in reverse order of starting). */
export interface Stoppable {
  stop(): Promise<void>;
}
