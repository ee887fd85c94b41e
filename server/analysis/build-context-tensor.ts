import type { PreprocessSpec } from '@/lib/model-manifest';
import type { HuImage } from '@/server/dicom';
import { buildTensor, tensorLength } from '@/server/dicom/tensor';

/**
 * The model input for one slice when its channels may read neighbouring slices (2.5D models: a
 * window's `sliceOffset`, -1 = previous slice in position order, +1 = next). `neighbour(offset)`
 * returns the slice at that offset, or undefined at either end of the series, where the slice
 * itself stands in (the manifest's documented rule, and the training recipe's).
 */
export function buildContextTensor(spec: PreprocessSpec, neighbour: (offset: number) => HuImage | undefined): Float32Array {
  const self = neighbour(0);
  if (!self) throw new RangeError('buildContextTensor needs the slice itself (offset 0)');
  const offsets = [...new Set(spec.windows.map((w) => w.sliceOffset ?? 0))];
  if (offsets.length === 1 && offsets[0] === 0) return buildTensor(self, spec);

  const out = new Float32Array(tensorLength(spec));
  const plane = spec.inputSize.height * spec.inputSize.width;
  for (const offset of offsets) {
    const channels = spec.windows.flatMap((w, c) => ((w.sliceOffset ?? 0) === offset ? [c] : []));
    const sub: PreprocessSpec = {
      ...spec,
      windows: channels.map((c) => spec.windows[c]!),
      normalisation: { mean: channels.map((c) => spec.normalisation.mean[c]!), std: channels.map((c) => spec.normalisation.std[c]!) },
    };
    const image = neighbour(offset) ?? self;
    const part = buildTensor(image, sub);
    channels.forEach((c, i) => out.set(part.subarray(i * plane, (i + 1) * plane), c * plane));
  }
  return out;
}
