/**
 * Checks the exported model through the server's own InferenceEngine (onnxruntime-node, CPU):
 * parity with PyTorch on real CT-ICH inputs written by export.py, and slices/s at batch 1, 8, 32.
 *
 *   npx tsx models/training/check_onnx_node.ts models/ich-cnn-1.0.0.json /tmp/ich-run
 *
 * Prints one JSON object.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { LABELS } from '@/lib/labels';
import { InferenceEngine } from '@/server/inference';

interface Parity {
  shape: number[];
  probabilities: number[][];
  cam: number[][];
  camShape: number[];
}

async function main(): Promise<void> {
  const [manifestPath, runDir] = process.argv.slice(2);
  if (!manifestPath || !runDir) throw new Error('usage: check_onnx_node.ts MANIFEST RUN_DIR');
  const parity = JSON.parse(readFileSync(join(runDir, 'parity.json'), 'utf8')) as Parity;
  const raw = readFileSync(join(runDir, 'parity-input.bin'));
  const input = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const log = pino({ level: 'silent' });
  const result: Record<string, unknown> = {};
  for (const maxBatch of [1, 8, 32]) {
    const engine = await InferenceEngine.create({ manifestPath, providers: ['cpu'], maxBatch, maxWaitMs: 2, intraOpThreads: 2, log });
    const per = engine.sliceLength;
    const n = parity.shape[0]!;
    const slices = Array.from({ length: n }, (_, i) => input.slice(i * per, (i + 1) * per));
    if (maxBatch === 32) {
      result.loadMs = engine.status.loadMs;
      const out = await Promise.all(slices.map((t) => engine.infer(t)));
      let probDiff = 0;
      let camDiff = 0;
      out.forEach((o, i) => {
        LABELS.forEach((l, j) => {
          probDiff = Math.max(probDiff, Math.abs(o.probabilities[l] - parity.probabilities[i]![j]!));
        });
        const maps = o.cam!.maps;
        for (let k = 0; k < maps.length; k++) camDiff = Math.max(camDiff, Math.abs(maps[k]! - parity.cam[i]![k]!));
      });
      result.parity = { slices: n, maxAbsDiffProbabilities: probDiff, maxAbsDiffCam: camDiff, camShape: [out[0]!.cam!.height, out[0]!.cam!.width] };
    }
    // Throughput: keep the batcher full with waves of `maxBatch * 4` slices for >= 4 s.
    const wave = Array.from({ length: maxBatch * 4 }, (_, i) => slices[i % slices.length]!);
    await Promise.all(wave.map((t) => engine.infer(t))); // warm-up
    let done = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 4000) {
      await Promise.all(wave.map((t) => engine.infer(t)));
      done += wave.length;
    }
    const seconds = (performance.now() - t0) / 1000;
    result[`slicesPerSecondBatch${maxBatch}`] = Math.round((done / seconds) * 10) / 10;
    result[`runsBatch${maxBatch}`] = engine.stats.runs;
    await engine.close();
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
