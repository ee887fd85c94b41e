import { readFileSync } from 'node:fs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LABELS } from '@/lib/labels';
import { buildContextTensor } from '@/server/analysis/build-context-tensor';
import { DEFAULT_MODEL_MANIFEST } from '@/server/config/defaults';
import type { HuImage } from '@/server/dicom';
import { loadDemoAnatomy } from '@/server/phantoms/load-demo-anatomy';
import { InferenceEngine } from './inference-engine';

/**
 * Pins the shipped model's outputs on a fixed input: three slices of the real GE head CT that
 * ships with the demo (server/phantoms/anatomy/ge-head-ct), through the server's own
 * preprocessing. A changed model file, manifest preprocessing or tensor builder shows up here
 * as changed numbers. Regenerate the golden file only together with a new model:
 *   GOLDEN_WRITE=1 npx vitest run server/inference/shipped-model-golden.test.ts
 */
const GOLDEN = 'server/inference/__golden__/shipped-model-ge-head-ct.json';
const SLICES = [10, 14, 18];

interface Golden {
  model: string;
  slices: number[];
  probabilities: number[][];
  mapArgmax: number[];
}

function huImage(k: number): HuImage | undefined {
  const a = loadDemoAnatomy();
  const s = a.slices[k];
  if (!s) return undefined;
  return { rows: a.rows, columns: a.columns, hu: Float32Array.from(s.hu) };
}

describe('the shipped model on a fixed input', () => {
  it('gives the pinned probabilities and map peaks on three real GE head CT slices', async () => {
    const engine = await InferenceEngine.create({ manifestPath: DEFAULT_MODEL_MANIFEST, providers: ['cpu'], maxBatch: 4, maxWaitMs: 2, intraOpThreads: 1, log: pino({ level: 'silent' }) });
    try {
      const results = await Promise.all(
        SLICES.map((k) => engine.infer(buildContextTensor(engine.manifest.preprocess, (o) => huImage(k + o)))),
      );
      const got: Golden = {
        model: `${engine.manifest.name}-${engine.manifest.version}`,
        slices: SLICES,
        probabilities: results.map((r) => LABELS.map((l) => r.probabilities[l])),
        mapArgmax: results.map((r) => {
          const plane = r.cam!.height * r.cam!.width;
          const any = Array.from(r.cam!.maps.subarray(0, plane));
          return any.indexOf(Math.max(...any));
        }),
      };
      if (process.env.GOLDEN_WRITE === '1') {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(GOLDEN, `${JSON.stringify(got, null, 1)}\n`);
      }
      const want = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Golden;
      expect(got.model).toBe(want.model);
      got.probabilities.forEach((row, i) => row.forEach((p, j) => expect(p).toBeCloseTo(want.probabilities[i]![j]!, 4)));
      expect(got.mapArgmax).toEqual(want.mapArgmax);
    } finally {
      await engine.close();
    }
  });
});
