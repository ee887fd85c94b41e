import { ERROR_STATUS, type ErrorCode } from '@/lib/errors';

/** The JSON error response every API route gives: `{"error":{"code","message"}}`, never cached. */
export function errorResponse(code: ErrorCode, message: string, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set('cache-control', 'no-store');
  return Response.json({ error: { code, message } }, { status: ERROR_STATUS[code], headers: h });
}
