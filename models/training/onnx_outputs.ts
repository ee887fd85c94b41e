/**
 * Probabilities of an ONNX model on a raw float32 tensor file, through onnxruntime-node (the server's
 * runtime), for the Python checks (ensemble_check.py). Writes N x 6 float32.
 *
 *   npx tsx models/training/onnx_outputs.ts MODEL.onnx INPUT.bin N C H W OUTPUT.bin
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

async function main(): Promise<void> {
  const [model, input, n, c, h, w, output] = process.argv.slice(2);
  if (!output) throw new Error('usage: onnx_outputs.ts MODEL.onnx INPUT.bin N C H W OUTPUT.bin');
  const [N, C, H, W] = [n, c, h, w].map(Number) as [number, number, number, number];
  const raw = readFileSync(input!);
  const x = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  if (x.length !== N * C * H * W) throw new Error(`${input}: ${x.length} floats, expected ${N * C * H * W}`);
  const session = await ort.InferenceSession.create(model!, { intraOpNumThreads: 2, graphOptimizationLevel: 'all' });
  const out = new Float32Array(N * 6);
  const per = C * H * W;
  for (let i = 0; i < N; i += 32) {
    const b = Math.min(32, N - i);
    const t = new ort.Tensor('float32', x.subarray(i * per, (i + b) * per), [b, C, H, W]);
    const r = await session.run({ [session.inputNames[0]!]: t }, ['probabilities']);
    out.set(r.probabilities!.data as Float32Array, i * 6);
  }
  writeFileSync(output, Buffer.from(out.buffer));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
