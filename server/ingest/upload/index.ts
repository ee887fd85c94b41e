export { UploadService, type UploadRequest, type UploadResponse } from './upload-service';
export type { UploadFileResult, UploadReport } from './ingest-upload';
export type { UploadLimits } from './upload-limits';
