export { JobQueue, type ClaimedJob } from './job-queue';
export { enqueueJob, type JobTx } from './enqueue-job';
export { JOB_KINDS, analyseJobKeyPrefix, type AnalyseInstanceInput, type JobInput, type JobKind, type JobPayload } from './job-kinds';
