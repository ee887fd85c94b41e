/**
 * Remembers which (person, study) pairs read frames recently. A viewer fetches every frame of a
 * study one request at a time (hundreds per study); journaling each would write hundreds of
 * hash-chained entries per look, so frame reads are journaled once per person and study per window.
 */
export class ReadWindow {
  private readonly last = new Map<string, number>();

  constructor(private readonly windowMs = 5 * 60_000) {}

  /** True when `key` was not seen within the window (and records it now). */
  first(key: string, now = Date.now()): boolean {
    const seen = this.last.get(key);
    if (seen !== undefined && now - seen < this.windowMs) return false;
    this.last.set(key, now);
    if (this.last.size > 10_000) for (const [k, t] of this.last) if (now - t >= this.windowMs) this.last.delete(k);
    return true;
  }
}
