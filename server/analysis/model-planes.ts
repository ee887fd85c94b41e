import type { PreprocessSpec } from '@/lib/model-manifest';
import type { DicomHeader, HuImage, StoredFrame } from '@/server/dicom';
import { buildTensorFromStored } from '@/server/dicom/stored-tensor';
import { buildTensor } from '@/server/dicom/tensor';

/**
 * How a model's input is put together from per-slice planes. A 2.5D model reads some windows of
 * the neighbouring slices (`sliceOffset`), so each slice is windowed and resized once, at model
 * resolution, into one plane per distinct (window, normalisation) of the spec, and a slice's input
 * is assembled from its own planes and its neighbours'. For the shipped model (brain of the
 * previous/this/next slice, subdural, bone) that is three 192x192 planes per slice (442 KB), not
 * five channels built from three 512x512 HU images (1 MB each).
 *
 * Bit-identical to buildContextTensor on the HU images: tensor.ts computes every channel from its
 * own window and normalisation only (no value crosses channels), so a channel is the same number
 * whether it is built in a tensor of the spec's channels of one offset or in one of the distinct
 * planes; and buildTensorFromStored is bit-identical to buildTensor(toHounsfield(...)).
 */
export interface PlaneLayout {
  /** The distinct (centre, width, mean, std) of the spec's channels, in first-use order: what one slice contributes. */
  planeSpec: PreprocessSpec;
  /** Per channel of the spec: the plane it copies and the slice it is taken from (0 = this one). */
  sources: { plane: number; offset: number }[];
  /** Values in one plane (height x width). */
  planeSize: number;
}

// Per spec object (specs are immutable and live with their model, as in tensor.ts).
const layouts = new WeakMap<PreprocessSpec, PlaneLayout>();

export function planeLayout(spec: PreprocessSpec): PlaneLayout {
  let layout = layouts.get(spec);
  if (!layout) {
    const keys: string[] = [];
    const planes: number[] = [];
    const sources = spec.windows.map((w, c) => {
      // Every number a channel's values depend on (-0 kept apart from 0: it can change a bias's sign).
      const key = [w.center, w.width, spec.normalisation.mean[c], spec.normalisation.std[c]].map((x) => (Object.is(x, -0) ? '-0' : String(x))).join('|');
      let plane = keys.indexOf(key);
      if (plane < 0) {
        plane = keys.push(key) - 1;
        planes.push(c);
      }
      return { plane, offset: w.sliceOffset ?? 0 };
    });
    const planeSpec: PreprocessSpec = {
      ...spec,
      windows: planes.map((c) => {
        const { sliceOffset: _offset, ...window } = spec.windows[c]!;
        return window;
      }),
      normalisation: { mean: planes.map((c) => spec.normalisation.mean[c]!), std: planes.map((c) => spec.normalisation.std[c]!) },
    };
    layout = { planeSpec, sources, planeSize: spec.inputSize.height * spec.inputSize.width };
    layouts.set(spec, layout);
  }
  return layout;
}

/** One slice's planes for `spec` straight from its stored values (no HU image): the analysis path. */
export function modelPlanesFromStored(header: DicomHeader, frame: StoredFrame, spec: PreprocessSpec): Float32Array {
  return buildTensorFromStored(header, frame, planeLayout(spec).planeSpec);
}

/** One slice's planes for `spec` from its HU image (same values as modelPlanesFromStored on the HU's stored frame). */
export function modelPlanesFromHu(image: HuImage, spec: PreprocessSpec): Float32Array {
  return buildTensor(image, planeLayout(spec).planeSpec);
}

/**
 * The model input of one slice from its planes (offset 0) and its neighbours' (`planes(offset)`);
 * a neighbour that is undefined (either end of the series, not received, not cached) is stood in
 * for by the slice itself, the manifest's documented rule, as in buildContextTensor.
 */
export function assembleContextTensor(spec: PreprocessSpec, planes: (offset: number) => Float32Array | undefined, out?: Float32Array): Float32Array {
  const { sources, planeSize, planeSpec } = planeLayout(spec);
  const self = planes(0);
  if (!self) throw new RangeError('assembleContextTensor needs the slice itself (offset 0)');
  const expected = planeSpec.windows.length * planeSize;
  const dst = out ?? new Float32Array(sources.length * planeSize);
  if (dst.length !== sources.length * planeSize) throw new RangeError(`tensor buffer has ${dst.length} values, expected ${sources.length * planeSize}`);
  sources.forEach(({ plane, offset }, c) => {
    const from = (offset === 0 ? self : planes(offset)) ?? self;
    if (from.length !== expected) throw new RangeError(`slice planes have ${from.length} values, expected ${expected}`);
    dst.set(from.subarray(plane * planeSize, (plane + 1) * planeSize), c * planeSize);
  });
  return dst;
}
