import type { WindowSpec } from '@/lib/model-manifest';

/**
 * A window as the two numbers the hot loops need: `unit = clamp((hu - lower) * invWidth, 0, 1)`.
 * This is the plain linear mapping the training pipelines use, `(hu - (c - w/2)) / w`, not DICOM's
 * VOI LUT variant with its `c - 0.5` and `w - 1` offsets (which shifts values by up to half a HU
 * and would make tensors differ from the ones the model was trained on).
 */
export interface WindowLinear {
  lower: number;
  invWidth: number;
}

/** The lower bound and reciprocal width of a window given by centre and width in HU. */
export function windowLinear(window: Pick<WindowSpec, 'center' | 'width'>): WindowLinear {
  if (!(window.width > 0)) throw new RangeError(`window width must be positive, got ${window.width}`);
  return { lower: window.center - window.width / 2, invWidth: 1 / window.width };
}

/** Maps one HU value through a window to [0,1]: 0 at or below c - w/2, 1 at or above c + w/2. */
export function windowValue(hu: number, window: Pick<WindowSpec, 'center' | 'width'>): number {
  const { lower, invWidth } = windowLinear(window);
  const v = (hu - lower) * invWidth;
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/**
 * Writes `clamp((src[srcOffset+i] - lower) * invWidth, 0, 1)` for i < length into `dst` at
 * `dstOffset`: the loop the tensor builder runs per source row and channel.
 */
export function windowRow(
  src: Float32Array,
  srcOffset: number,
  length: number,
  w: WindowLinear,
  dst: Float32Array,
  dstOffset: number,
): void {
  const { lower, invWidth } = w;
  for (let i = 0; i < length; i++) {
    const v = (src[srcOffset + i]! - lower) * invWidth;
    dst[dstOffset + i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
}

/** Windows a whole HU image (or any Float32Array) to [0,1]; writes into `out` when given. */
export function applyWindow(
  hu: Float32Array,
  window: Pick<WindowSpec, 'center' | 'width'>,
  out?: Float32Array,
): Float32Array {
  const dst = out ?? new Float32Array(hu.length);
  if (dst.length !== hu.length) throw new RangeError(`out has ${dst.length} elements, expected ${hu.length}`);
  windowRow(hu, 0, hu.length, windowLinear(window), dst, 0);
  return dst;
}
