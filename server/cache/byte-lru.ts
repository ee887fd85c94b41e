/**
 * A least-recently-used map bounded by the bytes its values hold (as `sizeOf` counts them). One
 * value larger than the whole budget is not kept at all.
 */
export class ByteLru<V> {
  private readonly entries = new Map<string, V>();
  private held = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly sizeOf: (value: V) => number,
  ) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: V): void {
    this.delete(key);
    if (this.sizeOf(value) > this.maxBytes) return;
    this.entries.set(key, value);
    this.held += this.sizeOf(value);
    for (const [k, v] of this.entries) {
      if (this.held <= this.maxBytes) break;
      this.entries.delete(k);
      this.held -= this.sizeOf(v);
    }
  }

  delete(key: string): void {
    const old = this.entries.get(key);
    if (old === undefined) return;
    this.entries.delete(key);
    this.held -= this.sizeOf(old);
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.held;
  }

  get size(): number {
    return this.entries.size;
  }
}
