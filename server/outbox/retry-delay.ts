/** Backoff of the outbox: the first retry after about `baseMs`, doubling, capped at `capMs`. */
export interface RetryPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 2_000, capMs: 10 * 60_000 };

/**
 * Delay before attempt `attempts + 1`, after `attempts` failed ones: exponential with "equal
 * jitter" (half fixed, half random), so a receiver that comes back is not hit by every node's
 * backlog in the same second, yet no retry comes sooner than half the nominal delay.
 */
export function retryDelayMs(attempts: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY, random: () => number = Math.random): number {
  const exponent = Math.min(30, Math.max(0, attempts - 1));
  const nominal = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.round(nominal / 2 + random() * (nominal / 2));
}
