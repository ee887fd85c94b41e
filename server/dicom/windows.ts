import { AppError } from '@/lib/errors';
import type { WindowSpec } from '@/lib/model-manifest';

/**
 * A window as the two numbers the hot loops need: `unit = clamp((hu - lower) * invWidth, 0, 1)`.
 * This is the plain linear mapping the training pipelines use, `(hu - (c - w/2)) / w`, not DICOM's
 * VOI LUT variant with its `c - 0.5` and `w - 1` offsets (which shifts values by up to half a HU
 * and would make tensors differ from the ones the model was trained on).
 *
 * Both numbers are float32 and every step is rounded to float32, exactly like the numpy mirror
 * (models/training/preprocess.py `window_unit`: float32 `lower`, `inv`, subtract, multiply), so
 * the windowed image is bit-identical in both languages. Rounding a double result of two float32
 * operands to float32 equals the float32 operation (53 >= 2*24 + 2), so this is exact, not close.
 */
export interface WindowLinear {
  lower: number;
  invWidth: number;
}

/** The lower bound and reciprocal width (both float32) of a window given by centre and width in HU. */
export function windowLinear(window: Pick<WindowSpec, 'center' | 'width'>): WindowLinear {
  if (!(window.width > 0) || !Number.isFinite(window.width) || !Number.isFinite(window.center)) {
    throw new AppError('MODEL_MANIFEST_INVALID', `window needs a finite centre and a positive width, got L${window.center}/W${window.width}`);
  }
  return { lower: Math.fround(window.center - window.width / 2), invWidth: Math.fround(1 / window.width) };
}

/** Maps one HU value through a window to [0,1]: 0 at or below c - w/2, 1 at or above c + w/2. */
export function windowValue(hu: number, window: Pick<WindowSpec, 'center' | 'width'>): number {
  const { lower, invWidth } = windowLinear(window);
  const v = Math.fround(Math.fround(Math.fround(hu) - lower) * invWidth);
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
    // The inner fround is the float32 subtraction; the store into dst rounds the product.
    const v = Math.fround(src[srcOffset + i]! - lower) * invWidth;
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
  if (dst.length !== hu.length) throw new AppError('INTERNAL', `window output has ${dst.length} values, the image has ${hu.length}`);
  windowRow(hu, 0, hu.length, windowLinear(window), dst, 0);
  return dst;
}
