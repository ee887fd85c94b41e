import { z } from 'zod';

/**
 * Every kind of durable job, in one map: what a worker reads back from the payload (validated at
 * claim, since a row is only JSON), what the enqueuer supplies, and the dedupe key derived from it.
 * Stages meet here by kind, so ingest and triage need not import each other.
 */
export const JOB_KINDS = {
  'analyse-instance': {
    // Rows queued before the key parts were stored carry only instanceId: the worker needs no more.
    payload: z.object({ instanceId: z.string().min(1) }),
    /** Unique per content (a re-sent identical file queues nothing), prefixed by the study. */
    key: (input: AnalyseInstanceInput) => `${analyseJobKeyPrefix(input.studyId)}${input.instanceId}:${input.sha256}`,
  },
} as const;

/** What ingest supplies to queue the analysis of one stored instance. */
// A type, not an interface: it must be assignable to Prisma's JSON input (an index signature).
export type AnalyseInstanceInput = {
  instanceId: string;
  studyId: string;
  sha256: string;
};

export type JobKind = keyof typeof JOB_KINDS;
/** What a worker gets back for a claimed job of `K`. */
export type JobPayload<K extends JobKind> = z.infer<(typeof JOB_KINDS)[K]['payload']>;
/** What `enqueueJob` takes for `K` (stored whole as the payload). */
export type JobInput<K extends JobKind> = Parameters<(typeof JOB_KINDS)[K]['key']>[0];

/** "Is anything of this study still being analysed" is one indexed prefix query on this. */
export function analyseJobKeyPrefix(studyId: string): string {
  return `analyse-instance:${studyId}:`;
}
