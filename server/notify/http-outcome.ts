import { PermanentDeliveryError } from '@/server/outbox';

/**
 * Turns a receiver's answer into the outbox's terms: 2xx delivered (returns the note), 408, 429
 * and 5xx retried (throws Error), any other status refused for good (PermanentDeliveryError):
 * retrying a 400 or 401 only repeats it until someone fixes the receiver or the configuration.
 * Only the status goes into lastError, never the body (a receiver may echo what it was sent).
 */
export function httpOutcome(what: string, status: number, statusText: string): string {
  const line = `${what} answered HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  if (status >= 200 && status < 300) return `HTTP ${status}`;
  if (status === 408 || status === 429 || status >= 500) throw new Error(line);
  throw new PermanentDeliveryError(status >= 300 && status < 400 ? `${line} (a redirect: configure the final URL)` : line);
}

/**
 * fetch's own failures say only "fetch failed": the reason (ECONNREFUSED, ENOTFOUND, a TLS error)
 * is in `cause`, and it is what an admin needs in lastError. Rethrows with it, retryable.
 */
export async function sendOrExplain(what: string, send: () => Promise<Response>): Promise<Response> {
  try {
    return await send();
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') throw err;
    const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
    const reason = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
    throw new Error(`${what} could not be reached: ${reason}`.slice(0, 300));
  }
}
