import { AppError, isAppError } from '@/lib/errors';
import type { UploadFileResult, UploadReport } from '@/lib/upload';
import type { IngestOutcome, IngestSource } from '../ingest-service';
import { checkUploadName } from './check-upload-name';
import { inflateZipEntry } from './inflate-zip-entry';
import { looksLikeZip, readZipDirectory, type ZipEntry } from './read-zip-directory';
import type { UploadLimits } from './upload-limits';

export type { UploadFileResult, UploadReport } from '@/lib/upload';

/** One uploaded file as it came in the form. */
export interface UploadedFile {
  name: string;
  bytes: Uint8Array;
}

type Problem = { code: string; message: string };

export type Ingest = (bytes: Uint8Array, source: IngestSource) => Promise<IngestOutcome>;

type Planned = { name: string; bytes: Uint8Array } | { name: string; zip: Uint8Array; entry: ZipEntry } | { name: string; refused: Problem };

const problem = (err: unknown): Problem =>
  isAppError(err) ? err.toJSON() : { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };

/**
 * Ingests an upload: plain files go through the durable ingest path as they are; zips are opened
 * (never zips inside zips) and each entry goes through it. Everything is judged before anything
 * is ingested: too many files or too much inflated data refuses the whole upload (throws
 * UPLOAD_TOO_MANY_FILES / UPLOAD_TOO_LARGE), so an upload is never half-taken for those reasons.
 * One entry at a time is inflated, so memory stays at the request plus one file.
 */
export async function ingestUpload(
  files: readonly UploadedFile[],
  limits: UploadLimits,
  source: IngestSource,
  ingest: Ingest,
  onFailure?: (err: unknown) => void,
): Promise<UploadReport> {
  const planned: Planned[] = [];
  let inflatedTotal = 0;
  for (const file of files) {
    try {
      checkUploadName(file.name);
    } catch (err) {
      planned.push({ name: file.name, refused: problem(err) });
      continue;
    }
    if (!looksLikeZip(file.bytes)) {
      planned.push(file);
      continue;
    }
    let entries: ZipEntry[];
    try {
      entries = readZipDirectory(file.bytes);
    } catch (err) {
      planned.push({ name: file.name, refused: problem(err) });
      continue;
    }
    for (const entry of entries) {
      if (entry.name.endsWith('/')) continue; // a folder, not a file
      const name = `${file.name}/${entry.name}`;
      const refused = judgeEntry(entry, limits);
      if (refused) planned.push({ name, refused });
      else {
        planned.push({ name, zip: file.bytes, entry });
        inflatedTotal += entry.uncompressedSize;
      }
    }
  }
  if (planned.length > limits.maxFiles) {
    throw new AppError('UPLOAD_TOO_MANY_FILES', `${planned.length} files (zip entries included), more than the ${limits.maxFiles} one upload may hold: split it`);
  }
  if (inflatedTotal > limits.maxUncompressedBytes) {
    throw new AppError('UPLOAD_TOO_LARGE', `the zips expand to ${mib(inflatedTotal)} MiB, more than the ${mib(limits.maxUncompressedBytes)} MiB one upload may: split it`);
  }

  const results: UploadFileResult[] = [];
  for (const item of planned) results.push(await ingestOne(item, source, ingest, onFailure));
  const summary = { stored: 0, duplicate: 0, quarantined: 0, refused: 0, failed: 0 };
  for (const r of results) summary[r.status]++;
  return { summary, files: results };
}

function judgeEntry(entry: ZipEntry, limits: UploadLimits): Problem | undefined {
  try {
    checkUploadName(entry.name);
  } catch (err) {
    return problem(err);
  }
  if (/\.zip$/i.test(entry.name)) return { code: 'UPLOAD_NESTED_ZIP', message: 'zip inside a zip: not expanded (upload it on its own)' };
  const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
  if (ratio > limits.maxCompressionRatio) {
    return { code: 'UPLOAD_ZIP_BOMB', message: `compression ratio ${Math.round(ratio)}:1 is above the ${limits.maxCompressionRatio}:1 limit (zip bomb): refused` };
  }
  return undefined;
}

async function ingestOne(item: Planned, source: IngestSource, ingest: Ingest, onFailure?: (err: unknown) => void): Promise<UploadFileResult> {
  const { name } = item;
  if ('refused' in item) return { name, status: 'refused', error: item.refused };
  let bytes: Uint8Array;
  if ('entry' in item) {
    try {
      bytes = await inflateZipEntry(item.zip, item.entry);
    } catch (err) {
      return { name, status: 'refused', error: problem(err) };
    }
    if (looksLikeZip(bytes)) return { name, status: 'refused', error: { code: 'UPLOAD_NESTED_ZIP', message: 'zip inside a zip: not expanded (upload it on its own)' } };
  } else {
    bytes = item.bytes;
  }
  try {
    const outcome = await ingest(bytes, { ...source, fileName: name });
    return outcome.status === 'quarantined'
      ? { name, status: 'quarantined', error: outcome.error, quarantineId: outcome.quarantineId }
      : { name, status: outcome.status, studyInstanceUid: outcome.studyInstanceUid, sopInstanceUid: outcome.sopInstanceUid };
  } catch (err) {
    // The cause goes to the server log only: a database error's text may quote header values.
    onFailure?.(err);
    return { name, status: 'failed', error: { code: 'INTERNAL', message: 'not stored (storage or database error): send it again' } };
  }
}

const mib = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10;
