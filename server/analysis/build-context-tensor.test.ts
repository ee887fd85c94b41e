import { describe, expect, it } from 'vitest';
import type { PreprocessSpec } from '@/lib/model-manifest';
import type { HuImage } from '@/server/dicom';
import { buildTensor } from '@/server/dicom/tensor';
import { buildContextTensor } from './build-context-tensor';

const flat = (value: number): HuImage => ({ rows: 4, columns: 4, hu: new Float32Array(16).fill(value) });
const spec: PreprocessSpec = {
  windows: [
    { name: 'brain-prev', center: 40, width: 80, sliceOffset: -1 },
    { name: 'brain', center: 40, width: 80 },
    { name: 'brain-next', center: 40, width: 80, sliceOffset: 1 },
  ],
  inputSize: { height: 2, width: 2 },
  resize: 'area',
  normalisation: { mean: [0, 0, 0], std: [1, 1, 1] },
};

describe('buildContextTensor', () => {
  it('reads each channel from the slice at its offset', () => {
    const slices = new Map([
      [-1, flat(20)],
      [0, flat(40)],
      [1, flat(60)],
    ]);
    const t = buildContextTensor(spec, (o) => slices.get(o));
    // brain window 40/80 maps 20 -> 0.25, 40 -> 0.5, 60 -> 0.75
    expect(Array.from(t)).toEqual([0.25, 0.25, 0.25, 0.25, 0.5, 0.5, 0.5, 0.5, 0.75, 0.75, 0.75, 0.75]);
  });

  it('uses the slice itself where a neighbour does not exist', () => {
    const t = buildContextTensor(spec, (o) => (o === 0 ? flat(40) : undefined));
    expect(Array.from(t)).toEqual(new Array(12).fill(0.5));
  });

  it('is exactly buildTensor for a single-slice model', () => {
    const single: PreprocessSpec = { ...spec, windows: spec.windows.map(({ name, center, width }) => ({ name, center: center + name.length, width })) };
    const image: HuImage = { rows: 4, columns: 4, hu: Float32Array.from({ length: 16 }, (_, i) => i * 7 - 10) };
    expect(Array.from(buildContextTensor(single, () => image))).toEqual(Array.from(buildTensor(image, single)));
  });
});
