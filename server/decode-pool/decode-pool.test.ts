import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { isAppError, type AppError } from '@/lib/errors';
import type { ModelManifest } from '@/lib/model-manifest';
import type { HuImage } from '@/server/dicom';
import { DecodePool } from './decode-pool';
import { InlineSliceDecoder } from './inline-slice-decoder';

// Decoding through worker threads must give exactly what decoding on the loop gives, and a task
// that never returns (a stuck codec) must fail by name while the pool carries on.
const fixture = (name: string) => readFileSync(new URL(`../dicom/__fixtures__/${name}`, import.meta.url));
const FILES = ['ct-s16.dcm', 'ct-s16-j2k.dcm', 'ct-s16-htj2k.dcm', 'ct-s16-jpeg-ls.dcm', 'ct-s16-rle.dcm', 'ct-u12-rsna.dcm', 'ct-u8-jpeg-baseline.dcm', 'ct-smooth-j2k-lossy.dcm'];
const manifest = JSON.parse(readFileSync(new URL('../../models/ich-cnn-3.0.0.json', import.meta.url), 'utf8')) as ModelManifest;
const hangingEntry = new URL('./__fixtures__/hanging-decode-worker.ts', import.meta.url);
const START = 120_000; // workers load tsx and the codecs from source: slow on a loaded machine

/** A 512² head-like HU image, so tensors go through the real resize path. */
function headImage(seed: number): HuImage {
  const n = 512;
  const hu = new Float32Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const r = Math.hypot((x - 256) / 200, (y - 256) / 220);
      hu[y * n + x] = r < 0.9 ? 35 + ((x * 7 + y * 13 + seed) % 23) : r < 1 ? 1300 : -1000;
    }
  }
  return { rows: n, columns: n, hu };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    return isAppError(err) ? err.code : `not an AppError: ${String(err)}`;
  }
}

const pools: DecodePool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe('DecodePool', () => {
  const inline = new InlineSliceDecoder();

  it('decodes every codec family bit-identically to inline decoding, HU in shared memory', { timeout: START }, async () => {
    const pool = new DecodePool({ size: 2, timeoutMs: 60_000 });
    pools.push(pool);
    for (const name of FILES) {
      const want = await inline.decodeSlice(fixture(name), { measureBrain: true });
      const got = await pool.decodeSlice(fixture(name), { measureBrain: true });
      expect(got.header, name).toEqual(want.header);
      expect(got.warnings, name).toEqual(want.warnings);
      expect(got.brainAreaMm2, name).toBe(want.brainAreaMm2);
      expect(got.hu.hu.buffer, name).toBeInstanceOf(SharedArrayBuffer);
      expect(Buffer.from(got.hu.hu.buffer).equals(Buffer.from(want.hu.hu.buffer)), name).toBe(true);
      const render = await pool.renderSlice(fixture(name));
      expect(render, name).toEqual(await inline.renderSlice(fixture(name)));
    }
  });

  it('moves the file bytes to the worker instead of copying them', { timeout: START }, async () => {
    const pool = new DecodePool({ size: 1, timeoutMs: 60_000 });
    pools.push(pool);
    const bytes = new Uint8Array(fixture('ct-s16-j2k.dcm'));
    expect(bytes.buffer.byteLength).toBeGreaterThan(0);
    await pool.decodeSlice(bytes);
    expect(bytes.buffer.byteLength).toBe(0); // detached: transferred
  });

  it('builds the shipped 2.5D model tensor bit-identically, from shared and from plain HU', { timeout: START }, async () => {
    const pool = new DecodePool({ size: 1, timeoutMs: 60_000 });
    pools.push(pool);
    const spec = manifest.preprocess;
    const plain = new Map([
      [-1, headImage(1)],
      [0, headImage(2)],
      [1, headImage(3)],
    ]);
    const want = await inline.buildContextTensor(spec, plain);
    const got = await pool.buildContextTensor(spec, plain);
    expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
    // At a series end the slice itself stands in for the missing neighbour, in the pool too.
    const edge = new Map([[0, headImage(2)]]);
    expect(Buffer.from((await pool.buildContextTensor(spec, edge)).buffer).equals(Buffer.from((await inline.buildContextTensor(spec, edge)).buffer))).toBe(true);
  });

  it('fails bad input with the decoder own code, as inline decoding does', { timeout: START }, async () => {
    const pool = new DecodePool({ size: 1, timeoutMs: 60_000 });
    pools.push(pool);
    const junk = () => new Uint8Array(300).fill(7);
    const want = await codeOf(inline.decodeSlice(junk()));
    expect(want).toMatch(/^DICOM_/);
    expect(await codeOf(pool.decodeSlice(junk()))).toBe(want);
    expect(await codeOf(pool.decodeSlice(new Uint8Array(fixture('mr-u16.dcm'))))).toBe('DICOM_NOT_CT');
  });

  it('stops a task that hangs with DICOM_DECODE_TIMEOUT, replaces the worker and decodes the next slice', { timeout: START }, async () => {
    const pool = new DecodePool({ size: 1, timeoutMs: 500, entry: hangingEntry });
    pools.push(pool);
    const want = await inline.decodeSlice(fixture('ct-s16-j2k.dcm'));
    const hang = new TextEncoder().encode('HANGME and never return');
    // Both queued at once: the good slice waits behind the stuck one, then decodes on the replacement.
    const started = performance.now();
    const [stuck, next] = await Promise.allSettled([pool.decodeSlice(hang), pool.decodeSlice(fixture('ct-s16-j2k.dcm'))]);
    expect(stuck.status).toBe('rejected');
    const err = (stuck as PromiseRejectedResult).reason as AppError;
    expect(isAppError(err, 'DICOM_DECODE_TIMEOUT')).toBe(true);
    expect(err.message).toContain('500 ms');
    expect(performance.now() - started).toBeGreaterThanOrEqual(450); // not before the limit
    expect(next.status).toBe('fulfilled');
    const got = (next as PromiseFulfilledResult<Awaited<ReturnType<DecodePool['decodeSlice']>>>).value;
    expect(Buffer.from(got.hu.hu.buffer).equals(Buffer.from(want.hu.hu.buffer))).toBe(true);
    expect(pool.size).toBe(1);
  });

  it('fails a task whose worker dies with DICOM_DECODER_CRASHED and carries on', { timeout: START }, async () => {
    const pool = new DecodePool({ size: 1, timeoutMs: 60_000, entry: hangingEntry });
    pools.push(pool);
    expect(await codeOf(pool.decodeSlice(new TextEncoder().encode('CRASH now')))).toBe('DICOM_DECODER_CRASHED');
    expect((await pool.decodeSlice(fixture('ct-s16.dcm'))).hu.rows).toBeGreaterThan(0);
  });

  it('gives up with one clear error when its worker entry cannot start', { timeout: START }, async () => {
    const pool = new DecodePool({ size: 1, timeoutMs: 60_000, entry: new URL('./__fixtures__/no-such-worker.js', import.meta.url) });
    pools.push(pool);
    const err = await pool.decodeSlice(fixture('ct-s16.dcm')).catch((e: unknown) => e);
    expect(isAppError(err, 'INTERNAL')).toBe(true);
    expect((err as Error).message).toMatch(/decode workers fail to start/);
  });
});
