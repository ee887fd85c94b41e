/**
 * Collects single requests into batches: a batch runs when `maxBatch` items wait or when the
 * oldest has waited `maxWaitMs`. One batch runs at a time, so a 40-slice study becomes one or two
 * model runs instead of 40 and the runtime is never oversubscribed.
 */
export class MicroBatcher<I, O> {
  private queue: { item: I; at: number; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private closed = false;

  constructor(
    private readonly runBatch: (items: I[]) => Promise<O[]>,
    private readonly opts: { maxBatch: number; maxWaitMs: number },
  ) {
    if (!(opts.maxBatch >= 1)) throw new RangeError('maxBatch must be at least 1');
  }

  /** Queues one item; resolves with its own result when its batch has run. */
  submit(item: I): Promise<O> {
    if (this.closed) return Promise.reject(new Error('batcher is closed'));
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, at: Date.now(), resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a batch. */
  get pending(): number {
    return this.queue.length;
  }

  /** Refuses new items; queued ones still run. */
  close(): void {
    this.closed = true;
  }

  private schedule(): void {
    const oldest = this.queue[0];
    if (this.running || !oldest) return;
    // The oldest item's wait counts from when it arrived, including time spent behind a running batch.
    // An overdue batch still goes through a (zero) timer, never synchronously from submit(): items
    // submitted in the same synchronous burst (a study's slices) then always share a batch, even
    // when building them took longer than maxWaitMs on a loaded machine.
    const waitLeft = this.opts.maxWaitMs - (Date.now() - oldest.at);
    if (this.queue.length >= this.opts.maxBatch) {
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), Math.max(0, waitLeft));
    }
  }

  private async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    const batch = this.queue.splice(0, this.opts.maxBatch);
    try {
      const results = await this.runBatch(batch.map((b) => b.item));
      if (results.length !== batch.length) throw new Error(`batch returned ${results.length} results for ${batch.length} items`);
      batch.forEach((b, i) => b.resolve(results[i] as O));
    } catch (err) {
      for (const b of batch) b.reject(err);
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
