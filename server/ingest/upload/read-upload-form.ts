import {
  getMultipartBoundary,
  MaxFileSizeExceededError,
  MaxPartsExceededError,
  MaxTotalSizeExceededError,
  MultipartParseError,
  parseMultipartStream,
} from '@remix-run/multipart-parser';
import { AppError } from '@/lib/errors';
import type { UploadedFile } from './ingest-upload';
import type { UploadLimits } from './upload-limits';

// Form fields that are not files (a browser may add some) still count as parts; allow a few.
const EXTRA_PARTS = 16;

/**
 * The files of a `multipart/form-data` upload, read whole into memory within the limits: the
 * declared Content-Length is checked before reading, and the parser stops at the byte limit or
 * part count, so an oversized body is never buffered. Throws AppError (UPLOAD_TOO_LARGE,
 * UPLOAD_TOO_MANY_FILES, VALIDATION_FAILED) naming what was wrong with the request.
 */
export async function readUploadForm(
  body: ReadableStream<Uint8Array> | null,
  contentType: string | null,
  contentLength: string | null,
  limits: UploadLimits,
): Promise<UploadedFile[]> {
  const boundary = getMultipartBoundary(contentType ?? '');
  if (!/^multipart\/form-data/i.test(contentType ?? '') || !boundary) {
    throw new AppError('VALIDATION_FAILED', 'send the files as multipart/form-data (one or more .dcm or .zip files)', { httpStatus: 415 });
  }
  const tooLarge = () => new AppError('UPLOAD_TOO_LARGE', `the upload is larger than the ${Math.round(limits.maxRequestBytes / (1024 * 1024))} MiB limit: split it`);
  if (contentLength && Number(contentLength) > limits.maxRequestBytes) throw tooLarge();
  if (!body) throw new AppError('VALIDATION_FAILED', 'empty request body');

  const files: UploadedFile[] = [];
  try {
    const parts = parseMultipartStream(body, {
      boundary,
      maxFileSize: limits.maxRequestBytes,
      maxTotalSize: limits.maxRequestBytes,
      maxParts: limits.maxFiles + EXTRA_PARTS,
    });
    for await (const part of parts) {
      if (part.filename === undefined) continue; // a plain form field
      files.push({ name: part.filename, bytes: part.bytes });
    }
  } catch (err) {
    if (err instanceof MaxFileSizeExceededError || err instanceof MaxTotalSizeExceededError) throw tooLarge();
    if (err instanceof MaxPartsExceededError) throw new AppError('UPLOAD_TOO_MANY_FILES', `more than the ${limits.maxFiles} files one upload may hold: split it`);
    if (err instanceof MultipartParseError) throw new AppError('VALIDATION_FAILED', `malformed multipart body: ${err.message}`);
    throw err;
  }
  if (files.length === 0) throw new AppError('VALIDATION_FAILED', 'no files in the upload (send them in file fields)');
  return files;
}
