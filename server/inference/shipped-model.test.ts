import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LABELS } from '@/lib/labels';
import { buildContextTensor } from '@/server/analysis/build-context-tensor';
import { DEFAULT_MODEL_MANIFEST } from '@/server/config/defaults';
import { decodeCtSlice } from '@/server/dicom';
import { generatePhantomStudy } from '@/server/phantoms';
import { InferenceEngine } from './inference-engine';

describe('the shipped model', () => {
  it('loads and verifies, and scores a real CT slice stack with probabilities and localization maps', async () => {
    const engine = await InferenceEngine.create({ manifestPath: DEFAULT_MODEL_MANIFEST, providers: ['cpu'], maxBatch: 4, maxWaitMs: 2, intraOpThreads: 1, log: pino({ level: 'silent' }) });
    try {
      expect(engine.manifest.labels).toEqual([...LABELS]);
      expect(engine.manifest.name).not.toBe('tiny-test');
      const study = generatePhantomStudy({ seed: 77, slices: 3, size: 256, hemorrhage: 'epidural' });
      const hu = await Promise.all(study.slices.map(async (s) => (await decodeCtSlice(s.bytes)).hu));
      const results = await Promise.all(hu.map((_, i) => engine.infer(buildContextTensor(engine.manifest.preprocess, (o) => hu[i + o]))));
      for (const r of results) {
        for (const l of LABELS) {
          expect(r.probabilities[l]).toBeGreaterThanOrEqual(0);
          expect(r.probabilities[l]).toBeLessThanOrEqual(1);
        }
        expect(r.cam).toBeDefined();
        expect(r.cam!.maps.length).toBe(LABELS.length * r.cam!.height * r.cam!.width);
      }
      expect(engine.stats.runs).toBe(1); // three slices, one batch
    } finally {
      await engine.close();
    }
  });
});
