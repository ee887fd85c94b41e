import { getMultipartBoundary, MaxPartsExceededError, MaxTotalSizeExceededError, MultipartParseError, parseMultipartStream } from '@remix-run/multipart-parser';
import type { IngestOutcome, IngestSource } from '../ingest-service';

/** DICOM JSON (PS3.18 F.2) for one attribute. */
type DicomJsonValue = { vr: string; Value?: (string | number | Record<string, DicomJsonValue>)[] };
export type DicomJson = Record<string, DicomJsonValue>;

export interface StowResult {
  /** 200 all stored, 202 some failed, 409 none stored, 400/413/415 the request itself was unusable (nothing stored). */
  status: number;
  body: DicomJson | { error: { code: string; message: string } };
}

export type Ingest = (bytes: Uint8Array, source: IngestSource) => Promise<IngestOutcome & { sopClassUid?: string }>;

// PS3.18 Table 10.5.3-1 / PS3.4 GG.4: failure reasons in the STOW-RS response.
const CANNOT_UNDERSTAND = 0xc000;
const PROCESSING_FAILURE = 0x0110;
/** Largest single instance accepted (a 512x512x2-byte CT slice is ~0.5 MB; multi-frame may be more). */
const MAX_INSTANCE_BYTES = 256 * 1024 * 1024;
const MAX_PARTS = 5000;
/**
 * Largest whole request. Every part is read (and counted) before the first is stored, so a request
 * over MAX_PARTS or this size is refused with nothing stored; the parts are held in memory until
 * then, as the dashboard upload holds its request (UPLOAD_MAX_MB has the same default).
 */
const MAX_REQUEST_BYTES = 512 * 1024 * 1024;

const sop = (classUid: string | undefined, instanceUid: string | undefined): DicomJson => ({
  '00081150': { vr: 'UI', ...(classUid ? { Value: [classUid] } : {}) },
  '00081155': { vr: 'UI', ...(instanceUid ? { Value: [instanceUid] } : {}) },
});

/**
 * STOW-RS (PS3.18 10.5): `multipart/related; type="application/dicom"`, one Part 10 instance per
 * part, each through the same durable ingest path as C-STORE. The response lists what was stored
 * (ReferencedSOPSequence) and what was refused with its reason (FailedSOPSequence); nothing is
 * acknowledged before it is on disk and recorded.
 */
export async function storeInstances(
  body: ReadableStream<Uint8Array> | null,
  contentType: string | null,
  source: IngestSource,
  ingest: Ingest,
  retrieveBase: string,
  contentLength: string | null = null,
): Promise<StowResult> {
  const type = contentType ?? '';
  const boundary = getMultipartBoundary(type);
  if (!/^multipart\/related/i.test(type) || !boundary) {
    return { status: 415, body: { error: { code: 'VALIDATION_FAILED', message: 'STOW-RS needs Content-Type: multipart/related; type="application/dicom"; boundary=…' } } };
  }
  const declared = /type="?([^";]+)"?/i.exec(type)?.[1]?.toLowerCase();
  if (declared && declared !== 'application/dicom') {
    return { status: 415, body: { error: { code: 'VALIDATION_FAILED', message: `only application/dicom parts are accepted, not ${declared}` } } };
  }
  if (!body) return { status: 400, body: { error: { code: 'VALIDATION_FAILED', message: 'empty request body' } } };
  if (Number(contentLength ?? 0) > MAX_REQUEST_BYTES) return tooLarge(`the request is over ${MAX_REQUEST_BYTES} bytes`);

  // Count (and read) every part first: a request over the limits must store nothing.
  const parts: { type: string | undefined; bytes: Uint8Array }[] = [];
  try {
    for await (const part of parseMultipartStream(body, { boundary, maxFileSize: MAX_INSTANCE_BYTES, maxParts: MAX_PARTS, maxTotalSize: MAX_REQUEST_BYTES })) {
      parts.push({ type: part.mediaType?.toLowerCase(), bytes: part.bytes });
    }
  } catch (err) {
    if (err instanceof MaxPartsExceededError) return tooLarge(`more than ${MAX_PARTS} parts; send the study in several requests`);
    if (err instanceof MaxTotalSizeExceededError) return tooLarge(`the request is over ${MAX_REQUEST_BYTES} bytes`);
    if (!(err instanceof MultipartParseError)) throw err;
    return { status: 400, body: { error: { code: 'VALIDATION_FAILED', message: `malformed multipart body: ${err.message}` } } };
  }

  const stored: DicomJson[] = [];
  const failed: DicomJson[] = [];
  const studies = new Set<string>();
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    parts[i] = { type: part.type, bytes: new Uint8Array(0) }; // let the bytes go once handed on
    if (part.type && part.type !== 'application/dicom') {
      failed.push({ ...sop(undefined, undefined), '00081197': { vr: 'US', Value: [CANNOT_UNDERSTAND] } });
      continue;
    }
    try {
      const outcome = await ingest(part.bytes, source);
      if (outcome.status === 'quarantined') {
        failed.push({ ...sop(undefined, undefined), '00081197': { vr: 'US', Value: [CANNOT_UNDERSTAND] } });
      } else {
        studies.add(outcome.studyInstanceUid);
        stored.push({
          ...sop(outcome.sopClassUid, outcome.sopInstanceUid),
          // The WADO-RS instance URL (PS3.18 10.4), served by server/dicomweb.
          '00081190': { vr: 'UR', Value: [`${retrieveBase}/studies/${outcome.studyInstanceUid}/series/${outcome.seriesInstanceUid}/instances/${outcome.sopInstanceUid}`] },
        });
      }
    } catch {
      // Not stored (disk, database): reported as a processing failure the sender may retry.
      failed.push({ ...sop(undefined, undefined), '00081197': { vr: 'US', Value: [PROCESSING_FAILURE] } });
    }
  }

  const response: DicomJson = {};
  if (studies.size === 1) response['00081190'] = { vr: 'UR', Value: [`${retrieveBase}/studies/${[...studies][0]}`] };
  if (stored.length > 0) response['00081199'] = { vr: 'SQ', Value: stored };
  if (failed.length > 0) response['00081198'] = { vr: 'SQ', Value: failed };
  const status = failed.length === 0 ? (stored.length > 0 ? 200 : 400) : stored.length > 0 ? 202 : 409;
  return { status, body: response };
}

function tooLarge(message: string): StowResult {
  return { status: 413, body: { error: { code: 'BODY_TOO_LARGE', message: `${message}; nothing was stored` } } };
}
