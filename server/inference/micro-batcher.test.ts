import { describe, expect, it } from 'vitest';
import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('runs a burst as full batches, each caller getting its own result', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(async (items) => {
      batches.push(items);
      return items.map((x) => x * 10);
    }, { maxBatch: 16, maxWaitMs: 50 });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => batcher.submit(i)));
    expect(results).toEqual(Array.from({ length: 40 }, (_, i) => i * 10));
    expect(batches.map((b) => b.length)).toEqual([16, 16, 8]);
  });

  it('runs a lone item after maxWaitMs instead of waiting for a full batch', async () => {
    const batcher = new MicroBatcher<number, number>(async (items) => items, { maxBatch: 8, maxWaitMs: 20 });
    const started = Date.now();
    await expect(batcher.submit(7)).resolves.toBe(7);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });

  it('never runs two batches at once', async () => {
    let running = 0;
    let maxRunning = 0;
    const batcher = new MicroBatcher<number, number>(async (items) => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 10));
      running -= 1;
      return items;
    }, { maxBatch: 2, maxWaitMs: 1 });
    await Promise.all(Array.from({ length: 9 }, (_, i) => batcher.submit(i)));
    expect(maxRunning).toBe(1);
  });

  it('rejects every item of a failed batch and keeps serving later ones', async () => {
    let fail = true;
    const batcher = new MicroBatcher<number, number>(async (items) => {
      if (fail) throw new Error('boom');
      return items;
    }, { maxBatch: 2, maxWaitMs: 1 });
    const failed = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(batcher.submit(3)).resolves.toBe(3);
  });

  it('refuses new items once closed', async () => {
    const batcher = new MicroBatcher<number, number>(async (items) => items, { maxBatch: 2, maxWaitMs: 1 });
    batcher.close();
    await expect(batcher.submit(1)).rejects.toThrow(/closed/);
  });
});
