import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { LABELS } from '@/lib/labels';
import { createLogger } from '@/server/logging';
import { InferenceEngine, type InferenceEngineOptions } from './index';

// The tiny test model (models/test-model/make_tiny_model.py): probabilities = sigmoid(W^T mean(c) + B).
const TINY = path.resolve('models/test-model/tiny-test-0.1.0.json');
const W = [
  [4.0, 1.0, -1.0, 0.5, 2.0, -2.0],
  [0.0, 3.0, 1.0, -0.5, -1.0, 1.0],
  [-2.0, 0.0, 2.0, 1.0, 0.0, 0.5],
];
const B = [-2.0, -1.0, 0.0, 0.5, -0.5, 1.0];
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const SIDE = 32;

function constantSlice(c: [number, number, number]): Float32Array {
  const t = new Float32Array(3 * SIDE * SIDE);
  c.forEach((v, ch) => t.fill(v, ch * SIDE * SIDE, (ch + 1) * SIDE * SIDE));
  return t;
}

function expected(c: [number, number, number]): number[] {
  return B.map((b, j) => sigmoid(b + c.reduce((acc, v, ch) => acc + v * W[ch]![j]!, 0)));
}

const log = createLogger('silent');
const options = (over: Partial<InferenceEngineOptions> = {}): InferenceEngineOptions => ({
  manifestPath: TINY,
  providers: ['cpu'],
  maxBatch: 32,
  maxWaitMs: 5,
  intraOpThreads: 1,
  log,
  ...over,
});

async function expectCode(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAppError(err) && err.code).toBe(code);
  if (message) expect((err as Error).message).toMatch(message);
}

describe('InferenceEngine with the tiny test model', () => {
  let engine: InferenceEngine;
  beforeAll(async () => {
    engine = await InferenceEngine.create(options());
  });
  afterAll(async () => {
    await engine.close();
  });

  it('reports the model and the active provider', () => {
    expect(engine.status).toMatchObject({ name: 'tiny-test', version: '0.1.0', provider: 'cpu' });
    expect(engine.sliceLength).toBe(3 * SIDE * SIDE);
  });

  it('returns the exact probabilities in label order, and a localization map per label', async () => {
    const c: [number, number, number] = [0.5, 0.25, 1];
    const out = await engine.infer(constantSlice(c));
    const want = expected(c);
    LABELS.forEach((label, j) => expect(out.probabilities[label]).toBeCloseTo(want[j]!, 5));
    expect(out.cam).toMatchObject({ height: 8, width: 8 });
    expect(out.cam!.maps).toHaveLength(6 * 8 * 8);
    // With a constant input every map is constant: sigmoid of the 1x1 conv (the same weights, no bias).
    const anyMap = sigmoid(c.reduce((acc, v, ch) => acc + v * W[ch]![0]!, 0));
    expect(out.cam!.maps[0]).toBeCloseTo(anyMap, 5);
    expect(out.cam!.maps[63]).toBeCloseTo(anyMap, 5);
  });

  it('runs a 40-slice study in two model runs, each slice getting its own result', async () => {
    const before = { ...engine.stats };
    const slices = Array.from({ length: 40 }, (_, i): [number, number, number] => [i / 40, 1 - i / 40, (i % 5) / 5]);
    const results = await Promise.all(slices.map((c) => engine.infer(constantSlice(c))));
    results.forEach((r, i) => expect(r.probabilities.any).toBeCloseTo(expected(slices[i]!)[0]!, 5));
    expect(engine.stats.slices - before.slices).toBe(40);
    expect(engine.stats.runs - before.runs).toBe(2);
  });

  it('refuses bad input tensors with a specific error', () => {
    expect(() => engine.infer(new Float32Array(10))).toThrow(/needs 3x32x32 = 3072/);
    const nan = constantSlice([0, 0, 0]);
    nan[17] = Number.NaN;
    expect(() => engine.infer(nan)).toThrow(/non-finite value at index 17/);
    expect(() => engine.infer(new Float64Array(3072) as unknown as Float32Array)).toThrow(/Float32Array/);
  });
});

describe('InferenceEngine loading', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ich-model-'));
    await copyFile(path.resolve('models/test-model/tiny-test-0.1.0.onnx'), path.join(dir, 'tiny-test-0.1.0.onnx'));
  });

  async function manifestWith(change: (m: Record<string, unknown>) => void): Promise<string> {
    const m = JSON.parse(await readFile(TINY, 'utf8')) as Record<string, unknown>;
    change(m);
    const file = path.join(dir, `m-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify(m));
    return file;
  }

  it('falls back to the next provider when the first is unavailable, and says which it skipped', async () => {
    // onnxruntime-node's bundled Linux build has no CUDA provider libraries here, so cuda fails.
    const engine = await InferenceEngine.create(options({ providers: ['cuda', 'cpu'] }));
    expect(engine.status.provider).toBe('cpu');
    expect(engine.status.skippedProviders.map((s) => s.provider)).toEqual(['cuda']);
    await engine.close();
  });

  it('fails clearly when no listed provider works', async () => {
    await expectCode(InferenceEngine.create(options({ providers: ['cuda'] })), 'MODEL_LOAD_FAILED', /cuda/);
  });

  it('refuses a model whose bytes do not match the manifest sha256', async () => {
    const file = await manifestWith((m) => (m.sha256 = '0'.repeat(64)));
    await expectCode(InferenceEngine.create(options({ manifestPath: file })), 'MODEL_CHECKSUM_MISMATCH', /sha256/);
  });

  it('refuses a manifest with the wrong label order', async () => {
    const file = await manifestWith((m) => (m.labels = [...LABELS].reverse()));
    await expectCode(InferenceEngine.create(options({ manifestPath: file })), 'MODEL_MANIFEST_INVALID', /label order/);
  });

  it('refuses a manifest naming an output the graph does not have', async () => {
    const file = await manifestWith((m) => (m.outputs = { probabilities: 'probs' }));
    await expectCode(InferenceEngine.create(options({ manifestPath: file })), 'MODEL_MANIFEST_INVALID', /lacks output "probs"/);
  });

  it('refuses a manifest whose normalisation does not match its windows', async () => {
    const file = await manifestWith((m) => {
      (m.preprocess as { normalisation: unknown }).normalisation = { mean: [0], std: [1] };
    });
    await expectCode(InferenceEngine.create(options({ manifestPath: file })), 'MODEL_MANIFEST_INVALID', /one per window/);
  });

  it('refuses a missing model file', async () => {
    const file = await manifestWith((m) => (m.file = 'absent-1.0.0.onnx'));
    await expectCode(InferenceEngine.create(options({ manifestPath: file })), 'MODEL_LOAD_FAILED', /cannot be read/);
  });
});
