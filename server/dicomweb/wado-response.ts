import { randomBytes } from 'node:crypto';
import { AppError } from '@/lib/errors';
import { parseDicom } from '@/server/dicom';

/** One part of a multipart/related answer. */
export interface Part {
  contentType: string;
  bytes: Uint8Array;
  /** Content-Location header of the part (the resource it is). */
  location?: string;
}

/**
 * A `multipart/related` body (RFC 2387, PS3.18 8.7.4): each part with its own Content-Type, the
 * boundary random so no part's bytes can contain it by accident.
 */
export function multipartRelated(type: string, parts: Part[]): Response {
  const boundary = `ichtriage-${randomBytes(12).toString('hex')}`;
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: ${p.contentType}\r\n${p.location ? `Content-Location: ${p.location}\r\n` : ''}\r\n`, 'latin1'));
    chunks.push(p.bytes);
    chunks.push(Buffer.from('\r\n', 'latin1'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  const body = Buffer.concat(chunks);
  return new Response(body, { headers: { 'content-type': `multipart/related; type="${type}"; boundary=${boundary}`, 'content-length': String(body.length) } });
}

/** The transfer syntax of a stored file (for the parts' Content-Type). */
export function transferSyntaxOf(bytes: Uint8Array): string {
  return parseDicom(bytes, { headerOnly: true }).header.transferSyntaxUid;
}

/**
 * The bytes of frames `numbers` (1-based) of a stored instance, as stored: native pixel data cut
 * at frame boundaries, or an encapsulated frame's fragments (by the Basic Offset Table, one
 * fragment per frame, or all fragments of a single-frame image). 404 for a frame it does not have.
 */
export function extractFrames(file: Uint8Array, numbers: number[]): { transferSyntaxUid: string; frames: Uint8Array[] } {
  const parsed = parseDicom(file);
  const { header, pixelData, bytes } = parsed;
  if (!pixelData) throw new AppError('NOT_FOUND', 'the instance has no pixel data');
  const count = Math.max(1, header.numberOfFrames);
  const bad = numbers.find((n) => n < 1 || n > count);
  if (bad !== undefined) throw new AppError('NOT_FOUND', `frame ${bad} does not exist (the instance has ${count})`);
  const frames = numbers.map((n): Uint8Array => {
    if (!pixelData.encapsulated) {
      const size = Math.floor(pixelData.length / count);
      return bytes.subarray(pixelData.offset + (n - 1) * size, pixelData.offset + n * size);
    }
    const { fragments, basicOffsetTable: bot } = pixelData;
    let chosen: typeof fragments;
    if (count === 1) chosen = fragments;
    else if (bot.length === count) {
      const start = bot[n - 1]!;
      const end = n < count ? bot[n]! : Number.POSITIVE_INFINITY;
      chosen = fragments.filter((f) => f.offset >= start && f.offset < end);
    } else if (fragments.length === count) chosen = [fragments[n - 1]!];
    else throw new AppError('DICOM_DECODE_FAILED', 'frames cannot be told apart: no Basic Offset Table and not one fragment per frame');
    return Buffer.concat(chosen.map((f) => bytes.subarray(f.position, f.position + f.length)));
  });
  return { transferSyntaxUid: header.transferSyntaxUid, frames };
}

/** `1,2,5` from the URL: 1-based frame numbers, at most 1000 of them. */
export function parseFrameList(value: string): number[] {
  if (!/^\d{1,6}(,\d{1,6}){0,999}$/.test(value)) throw new AppError('VALIDATION_FAILED', 'frames: a comma-separated list of frame numbers from 1');
  return value.split(',').map(Number);
}
