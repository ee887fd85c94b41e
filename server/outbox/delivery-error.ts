/**
 * What a deliverer throws when retrying cannot help (the receiver refused the message: HTTP 4xx
 * other than 408/429, an invalid payload): the message is failed at once, with this message as its
 * lastError. Any other error is retried with backoff.
 */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

/** True for an error that must not be retried. */
export function isPermanentDeliveryError(err: unknown): err is PermanentDeliveryError {
  return err instanceof PermanentDeliveryError;
}
