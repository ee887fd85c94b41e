import { isAppError } from '@/lib/errors';
import type { Logger } from '@/server/logging';
import { ingestUpload, type Ingest, type UploadReport } from './ingest-upload';
import { readUploadForm } from './read-upload-form';
import type { UploadLimits } from './upload-limits';

/** The parts of an HTTP request an upload needs. */
export interface UploadRequest {
  body: ReadableStream<Uint8Array> | null;
  contentType: string | null;
  contentLength: string | null;
}

export interface UploadResponse {
  /** 200 the upload was read (each file's fate is in the report), 413/415/422 it was refused whole. */
  status: number;
  body: UploadReport | { error: { code: string; message: string } };
}

/**
 * Dashboard uploads (`POST /api/upload`): reads the form within the limits, then ingests every
 * file and zip entry through the durable ingest path under the uploading user's name.
 */
export class UploadService {
  constructor(private readonly opts: { limits: UploadLimits; ingest: Ingest; log: Logger }) {}

  readonly receive = async (request: UploadRequest, sender: string): Promise<UploadResponse> => {
    const source = { channel: 'upload', sender };
    try {
      const files = await readUploadForm(request.body, request.contentType, request.contentLength, this.opts.limits);
      const report = await ingestUpload(files, this.opts.limits, source, this.opts.ingest, (err) =>
        this.opts.log.error({ err: { name: err instanceof Error ? err.name : typeof err }, sender }, 'an uploaded file could not be stored'),
      );
      this.opts.log.info({ sender, ...report.summary }, 'upload received');
      return { status: 200, body: report };
    } catch (err) {
      if (!isAppError(err)) throw err;
      this.opts.log.warn({ sender, code: err.code }, 'upload refused');
      const status = typeof err.details?.httpStatus === 'number' ? err.details.httpStatus : err.status;
      return { status, body: { error: err.toJSON() } };
    }
  };
}
