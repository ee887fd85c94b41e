/**
 * In-memory login rate limit per client address: at most `limit` attempts in a sliding `windowMs`.
 * It slows password spraying across accounts; per-account guessing is stopped by the lockout kept in
 * the database (User.failedLoginCount / lockedUntil), which survives restarts and is shared between
 * nodes. Memory is bounded: the oldest keys are dropped past `maxKeys`.
 */
export class LoginThrottle {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly limit = 20,
    private readonly windowMs = 10 * 60_000,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an attempt for `key`; false when the key is over its limit (the attempt must be refused). */
  hit(key: string): boolean {
    const t = this.now();
    const recent = (this.attempts.get(key) ?? []).filter((at) => t - at < this.windowMs);
    if (recent.length >= this.limit) {
      this.attempts.set(key, recent);
      return false;
    }
    recent.push(t);
    this.attempts.delete(key); // re-insert: Map order is then least recently used first
    this.attempts.set(key, recent);
    while (this.attempts.size > this.maxKeys) {
      const oldest = this.attempts.keys().next().value;
      if (oldest === undefined) break;
      this.attempts.delete(oldest);
    }
    return true;
  }

  /** Forgets `key` (after a successful login). */
  reset(key: string): void {
    this.attempts.delete(key);
  }
}
