import { assertPreprocessConsistent, type PreprocessSpec } from '@/lib/model-manifest';
import { AppError } from '@/lib/errors';
import type { HuImage } from './types';
import { resampleColumns, resampleRow, resampleTable } from './resize';
import { windowLinear, windowRow, type WindowLinear } from './windows';

/** Number of float32 values in one slice's CHW tensor for `spec`. */
export function tensorLength(spec: PreprocessSpec): number {
  return spec.windows.length * spec.inputSize.height * spec.inputSize.width;
}

// Row buffer (channels x columns) and horizontal-pass buffer (channels x rows x width), reused across
// calls. buildTensor is synchronous and each worker thread has its own module instance, so nothing
// else can touch them while a call runs.
let rowScratch = new Float32Array(0);
let passScratch = new Float32Array(0);

/**
 * Builds the model input for one slice: CHW float32, channel c = spec.windows[c] applied to the HU
 * image, resampled to spec.inputSize, then normalised `(x - mean[c]) / std[c]`.
 *
 * Order: WINDOW FIRST, THEN RESIZE. Resizing HU first would be ~3x cheaper on windowing, but the
 * window's clamp is nonlinear and the difference lands exactly where bleeds hide: a pixel averaging
 * skull (~1000 HU) with brain (~40 HU) becomes ~520 HU, i.e. a saturated 1.0 in the brain and
 * subdural windows, so bone "grows" over the thin extra-axial rim where subdural and epidural
 * hematomas lie. Windowing first averages 1.0 with 0.5 instead, which is what a downsampled windowed
 * image (and the reference pipeline, bench/preprocess_reference.py) shows. The cost is kept low by
 * fusing: each source row is windowed into a small row buffer and immediately resampled
 * horizontally, rows no output reads are skipped, and normalisation rides on the vertical pass.
 */
export function buildTensor(hu: HuImage, spec: PreprocessSpec, out?: Float32Array): Float32Array {
  assertPreprocessConsistent(spec);
  const { rows, columns } = hu;
  const { height, width } = spec.inputSize;
  const channels = spec.windows.length;
  if (hu.hu.length !== rows * columns) {
    throw new AppError('INTERNAL', `HU image has ${hu.hu.length} pixels, expected ${rows}x${columns}`);
  }
  const plane = height * width;
  const dst = out ?? new Float32Array(channels * plane);
  if (dst.length !== channels * plane) {
    throw new AppError('INTERNAL', `tensor buffer has ${dst.length} values, expected ${channels}x${height}x${width}`);
  }

  const xt = resampleTable(spec.resize, columns, width);
  const yt = resampleTable(spec.resize, rows, height);
  const lin: WindowLinear[] = spec.windows.map(windowLinear);
  if (rowScratch.length < channels * columns) rowScratch = new Float32Array(channels * columns);
  if (passScratch.length < channels * rows * width) passScratch = new Float32Array(channels * rows * width);
  const src = hu.hu;
  const passStride = rows * width;

  for (let r = 0; r < rows; r++) {
    if (!yt.used[r]) continue;
    for (let c = 0; c < channels; c++) {
      windowRow(src, r * columns, columns, lin[c]!, rowScratch, c * columns);
      resampleRow(rowScratch, c * columns, xt, passScratch, c * passStride + r * width);
    }
  }
  for (let c = 0; c < channels; c++) {
    const invStd = 1 / spec.normalisation.std[c]!;
    const bias = -spec.normalisation.mean[c]! * invStd;
    resampleColumns(passScratch, c * passStride, width, yt, dst, c * plane, invStd, bias);
  }
  return dst;
}

/**
 * Writes slice `index` of an NCHW batch in place (no copy, no new buffer): the batch must hold at
 * least (index + 1) tensors of `tensorLength(spec)` values.
 */
export function writeTensorToBatch(hu: HuImage, spec: PreprocessSpec, batch: Float32Array, index: number): void {
  const n = tensorLength(spec);
  if (!Number.isInteger(index) || index < 0 || (index + 1) * n > batch.length) {
    throw new AppError('INTERNAL', `batch of ${batch.length} values has no slot ${index} for tensors of ${n}`);
  }
  buildTensor(hu, spec, batch.subarray(index * n, (index + 1) * n));
}
