import { randomBytes } from 'node:crypto';
import { AppError } from '@/lib/errors';
import { CStoreClient } from '@/server/demo';
import { PermanentDeliveryError } from '@/server/outbox';

/** Where results go (RESULTS_DICOM_TARGET and/or RESULTS_STOW_URL); at least one is set. */
export interface ResultsTargets {
  dimse?: { host: string; port: number; calledAeTitle: string; callingAeTitle: string } | undefined;
  stow?: { url: string; token?: string | undefined } | undefined;
  /** Also send the key slice as a Secondary Capture with the overlay and label burned in (default true). */
  secondaryCapture?: boolean | undefined;
}

type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;

/**
 * Sends result instances (Part-10 bytes) to every configured target: C-STORE over one association
 * and/or one STOW-RS request. Resolves with a short note for the delivery record; throws
 * PermanentDeliveryError when retrying cannot help (the peer refused the instance, 4xx), any other
 * error to be retried. Sending again is harmless: the same SOP Instance UID replaces itself.
 */
export async function sendDicomResult(files: readonly Uint8Array[], targets: ResultsTargets, signal?: AbortSignal): Promise<string> {
  const notes: string[] = [];
  if (targets.dimse) notes.push(await cStore(files, targets.dimse));
  if (targets.stow) notes.push(await stow(files, targets.stow, signal));
  if (notes.length === 0) throw new PermanentDeliveryError('no results target is configured (RESULTS_DICOM_TARGET, RESULTS_STOW_URL)');
  return notes.join('; ');
}

async function cStore(files: readonly Uint8Array[], t: NonNullable<ResultsTargets['dimse']>): Promise<string> {
  const where = `${t.calledAeTitle}@${t.host}:${t.port}`;
  // Short timeouts: the outbox retries, and a delivery must end within its own deadline.
  const client = new CStoreClient(t, { connectMs: 5000, associationMs: 10_000, pduMs: 10_000 });
  let batch;
  try {
    batch = await client.send(files);
  } catch (err) {
    // A permanent association rejection (unknown AE title) will not mend itself by waiting.
    if (err instanceof AppError && err.code === 'DIMSE_ASSOCIATION_REJECTED' && /permanently/.test(err.message)) throw new PermanentDeliveryError(`C-STORE ${err.message}`);
    throw err;
  }
  const refused = batch.results.find((r) => !r.ok);
  if (refused && !refused.ok) {
    const message = `C-STORE to ${where} refused ${refused.sopInstanceUid ?? 'an instance'}: ${refused.reason}`;
    throw refused.status !== null && isPermanentStoreStatus(refused.status) ? new PermanentDeliveryError(message) : new Error(message);
  }
  return `C-STORE ${where}: ${batch.sent} stored`;
}

/**
 * C-STORE failures that a retry cannot mend (PS3.4 B.2.3, PS3.7 C): the peer does not take this SOP
 * class, or refuses the data set (0xA9xx, 0xCxxx), or we are not authorised. Out of resources
 * (0xA7xx), processing failure (0x0110) and no answer at all are retried.
 */
export function isPermanentStoreStatus(status: number): boolean {
  return status === 0x0122 || status === 0x0124 || (status >= 0xa900 && status <= 0xa9ff) || (status >= 0xc000 && status <= 0xcfff);
}

async function stow(files: readonly Uint8Array[], t: NonNullable<ResultsTargets['stow']>, signal?: AbortSignal): Promise<string> {
  const boundary = `ich-result-${randomBytes(12).toString('hex')}`;
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const f of files) parts.push(enc.encode(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), f, enc.encode('\r\n'));
  parts.push(enc.encode(`--${boundary}--\r\n`));
  const response = await fetch(t.url, {
    method: 'POST',
    headers: {
      'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
      accept: 'application/dicom+json',
      ...(t.token ? { authorization: `Bearer ${t.token}` } : {}),
    },
    body: new Blob(parts as BlobPart[]),
    ...(signal ? { signal } : {}),
  });
  const text = await response.text();
  // The URL only (no token, no body): a PACS error page may echo patient data.
  const where = `STOW-RS ${new URL(t.url).origin}${new URL(t.url).pathname}`;
  if (!response.ok && response.status !== 409 && response.status !== 202) {
    const message = `${where} answered ${response.status} ${response.statusText}`.trim();
    throw response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429 ? new PermanentDeliveryError(message) : new Error(message);
  }
  let body: DicomJson = {};
  try {
    body = text ? (JSON.parse(text) as DicomJson) : {};
  } catch {
    // Some servers answer 200 with XML or nothing: the status is the answer then.
  }
  const failed = (body['00081198']?.Value ?? []) as DicomJson[];
  if (failed.length > 0 || response.status === 409) {
    const reason = failed[0]?.['00081197']?.Value?.[0];
    throw new PermanentDeliveryError(`${where} refused ${failed.length || files.length} instance(s)${typeof reason === 'number' ? `, failure reason 0x${reason.toString(16)}` : ''}`);
  }
  return `${where}: ${response.status}`;
}
