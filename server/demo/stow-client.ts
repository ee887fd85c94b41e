import { randomBytes } from 'node:crypto';
import { AppError } from '@/lib/errors';
import { parseDicom } from '@/server/dicom';
import type { CStoreBatchResult, CStoreResult } from './cstore-client';

type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;

/**
 * Sends one study's Part 10 files to a DICOMweb STOW-RS endpoint (`<base>/studies`) in one
 * multipart/related request, and maps the PS3.18 response back to per-file results, so
 * `npm run simulate` reports STOW-RS and C-STORE deliveries alike.
 */
export class StowClient {
  private readonly url: string;
  private readonly token: string | undefined;

  /** `token`: a service account's API token, sent as `Authorization: Bearer` (the server requires one). */
  constructor(base: string, options: { token?: string | undefined } = {}) {
    this.url = `${base.replace(/\/+$/, '')}/studies`;
    this.token = options.token;
  }

  async send(files: readonly Uint8Array[]): Promise<CStoreBatchResult> {
    const started = performance.now();
    const boundary = `stow-${randomBytes(12).toString('hex')}`;
    const enc = new TextEncoder();
    const parts: Uint8Array[] = [];
    for (const f of files) parts.push(enc.encode(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), f, enc.encode('\r\n'));
    parts.push(enc.encode(`--${boundary}--\r\n`));
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
          accept: 'application/dicom+json',
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        body: new Blob(parts as BlobPart[]),
      });
    } catch (err) {
      throw new AppError('DIMSE_CONNECTION_FAILED', `STOW-RS ${this.url}: ${(err as Error).message}`, undefined, { cause: err });
    }
    const body = (await response.json().catch(() => ({}))) as DicomJson & { error?: { message: string } };
    if (response.status >= 400 && response.status !== 409) {
      throw new AppError('DIMSE_SEND_FAILED', `STOW-RS ${this.url} answered ${response.status}: ${body.error?.message ?? response.statusText}`);
    }
    const stored = new Set(((body['00081199']?.Value ?? []) as DicomJson[]).map((r) => r['00081155']?.Value?.[0] as string));
    const reasons = ((body['00081198']?.Value ?? []) as DicomJson[]).map((r) => (r['00081197']?.Value?.[0] as number | undefined) ?? 0xc000);
    const results: CStoreResult[] = files.map((f, index) => {
      let sop: string | null = null;
      let ts: string | null = null;
      try {
        const { header } = parseDicom(f, { headerOnly: true });
        sop = header.sopInstanceUid;
        ts = header.transferSyntaxUid;
      } catch {
        // not DICOM: reported as failed below
      }
      if (sop && stored.has(sop)) return { index, sopInstanceUid: sop, transferSyntaxUid: ts!, ok: true, status: 0 };
      const status = reasons.shift() ?? 0xc000;
      return { index, sopInstanceUid: sop, transferSyntaxUid: ts, ok: false, status, reason: `STOW-RS failure reason 0x${status.toString(16)}` };
    });
    const sent = results.filter((r) => r.ok).length;
    return { results, sent, failed: results.length - sent, ms: performance.now() - started };
  }
}
