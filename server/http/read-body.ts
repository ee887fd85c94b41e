import { AppError } from '@/lib/errors';

/** Default limit for JSON bodies: every JSON body this API takes is a few hundred bytes. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/**
 * The request body as UTF-8 text, at most `maxBytes`: a Content-Length over the limit is refused
 * without reading a byte, and a body sent without one (chunked) is read only up to the limit, then
 * the stream is cancelled. Either way BODY_TOO_LARGE (413), so nobody can make us buffer more.
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      // Stop the upload here; the rest is discarded by the HTTP server, never held.
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('BODY_TOO_LARGE', `the request body is over ${maxBytes} bytes`);
}
