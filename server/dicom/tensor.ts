import { AppError } from '@/lib/errors';
import { assertPreprocessConsistent, type PreprocessSpec } from '@/lib/model-manifest';
import type { HuImage } from './types';
import { resampleColumnRow, resampleRow, resampleTable, type ResampleTable } from './resize';
import { windowLinear, windowRow, type WindowLinear } from './windows';

/** Number of float32 values in one slice's CHW tensor for `spec`. */
export function tensorLength(spec: PreprocessSpec): number {
  return spec.windows.length * spec.inputSize.height * spec.inputSize.width;
}

// Windowed-row buffer (columns) and the rolling horizontal-pass rows (channels x taps x width),
// reused across calls. buildTensor is synchronous and each worker thread has its own module
// instance, so nothing else can touch them while a call runs.
let rowScratch = new Float32Array(0);
let ringScratch = new Float32Array(0);

/** What buildTensor derives from a spec: per channel window line, 1/std and -mean/std. */
export interface TensorPlan {
  lin: WindowLinear[];
  invStd: number[];
  bias: number[];
}

// A spec comes from a loaded manifest and lives as long as its model, so it is validated and
// turned into numbers once, not once per slice; specs are treated as immutable (a changed spec
// must be a new object). Weak keys: an unloaded model frees its plan.
const plans = new WeakMap<PreprocessSpec, TensorPlan>();

/** The validated numbers of `spec` (cached per spec object); throws MODEL_MANIFEST_INVALID. */
export function tensorPlan(spec: PreprocessSpec): TensorPlan {
  let plan = plans.get(spec);
  if (!plan) {
    try {
      assertPreprocessConsistent(spec);
    } catch (err) {
      throw new AppError('MODEL_MANIFEST_INVALID', (err as Error).message, undefined, { cause: err });
    }
    if (!spec.normalisation.std.every((s) => s > 0 && Number.isFinite(s))) {
      throw new AppError('MODEL_MANIFEST_INVALID', `normalisation std must be positive and finite, got ${spec.normalisation.std.join(', ')}`);
    }
    const invStd = spec.normalisation.std.map((s) => 1 / s);
    plan = {
      lin: spec.windows.map(windowLinear),
      invStd,
      bias: spec.normalisation.mean.map((m, c) => -m * invStd[c]!),
    };
    plans.set(spec, plan);
  }
  return plan;
}

/**
 * Builds the model input for one slice: CHW float32, channel c = spec.windows[c] applied to the HU
 * image, resampled to spec.inputSize, then normalised `(x - mean[c]) / std[c]`.
 *
 * Order: WINDOW FIRST, THEN RESIZE. Resizing HU first would be ~3x cheaper on windowing, but the
 * window's clamp is nonlinear and the difference lands exactly where bleeds hide: a pixel averaging
 * skull (~1000 HU) with brain (~40 HU) becomes ~520 HU, i.e. a saturated 1.0 in the brain and
 * subdural windows, so bone "grows" over the thin extra-axial rim where subdural and epidural
 * hematomas lie. Windowing first averages 1.0 with 0.5 instead, which is what a downsampled windowed
 * image shows and what the training mirror (models/training/preprocess.py `build_tensor`) does.
 *
 * The cost is kept low by fusing: each source row is windowed and resampled horizontally in one
 * loop into a few rolling rows, each output row is blended from them as soon as they exist (so the
 * working set stays in cache), rows no output reads are skipped, and normalisation rides on the
 * last pass. The default 512 -> 256 does all of it in one loop per channel (halveWindowed).
 * Results are bit-identical to the stage-by-stage definition (windows.ts then resize.ts).
 */
export function buildTensor(hu: HuImage, spec: PreprocessSpec, out?: Float32Array): Float32Array {
  const plan = tensorPlan(spec);
  const { rows, columns } = hu;
  const { height, width } = spec.inputSize;
  const channels = spec.windows.length;
  if (!(rows >= 1 && columns >= 1) || hu.hu.length !== rows * columns) {
    throw new AppError('INTERNAL', `HU image has ${hu.hu.length} pixels, expected ${rows}x${columns}`);
  }
  const plane = height * width;
  const dst = out ?? new Float32Array(channels * plane);
  if (dst.length !== channels * plane) {
    throw new AppError('INTERNAL', `tensor buffer has ${dst.length} values, expected ${channels}x${height}x${width}`);
  }

  const xt = resampleTable(spec.resize, columns, width);
  const yt = resampleTable(spec.resize, rows, height);
  const { lin, invStd, bias } = plan;
  if (xt.halving && yt.halving) {
    for (let c = 0; c < channels; c++) halveWindowed(hu.hu, columns, height, width, lin[c]!, invStd[c]!, bias[c]!, dst, c * plane);
    return dst;
  }
  // Rolling rows of the horizontal pass, `yt.taps` per channel: the source rows one output row
  // reads are consecutive and advance monotonically, so row r lives in slot r % taps until no
  // later output needs it. A few KB that stay in L1, instead of a channels x rows x width buffer.
  const ring = yt.taps;
  const ringStride = ring * width;
  if (ringScratch.length < channels * ringStride) ringScratch = new Float32Array(channels * ringStride);
  if (rowScratch.length < columns) rowScratch = new Float32Array(columns);
  const src = hu.hu;
  const { index, taps } = yt;

  let next = 0; // first source row not yet in the ring; rows no output reads are skipped
  for (let o = 0; o < height; o++) {
    const last = index[o * taps + taps - 1]!; // taps are ascending; padding repeats the last one
    next = Math.max(next, index[o * taps]!);
    for (; next <= last; next++) {
      const slot = (next % ring) * width;
      for (let c = 0; c < channels; c++) {
        windowResampleRow(src, next * columns, columns, lin[c]!, xt, ringScratch, c * ringStride + slot);
      }
    }
    for (let c = 0; c < channels; c++) {
      resampleColumnRow(ringScratch, c * ringStride, width, yt, o, ring, dst, c * plane + o * width, invStd[c]!, bias[c]!);
    }
  }
  return dst;
}

/**
 * The 512 -> 256 case (2x in both directions), the default model input, in one pass per channel:
 * each output reads its 2x2 block, windows the four pixels and blends them with exactly the
 * roundings of the separable path (horizontal sums rounded to float32, then the vertical blend
 * with the normalisation folded in), so results are bit-identical to it, without the row buffers.
 */
function halveWindowed(
  src: Float32Array,
  columns: number,
  height: number,
  width: number,
  w: WindowLinear,
  invStd: number,
  bias: number,
  dst: Float32Array,
  dstOffset: number,
): void {
  const { lower, invWidth } = w;
  const half = 0.5 * invStd; // the vertical weight 0.5 times the normalisation scale
  for (let o = 0; o < height; o++) {
    const r0 = 2 * o * columns;
    const r1 = r0 + columns;
    const out = dstOffset + o * width;
    for (let x = 0, i = 0; x < width; x++, i += 2) {
      let a = Math.fround(Math.fround(src[r0 + i]! - lower) * invWidth);
      let b = Math.fround(Math.fround(src[r0 + i + 1]! - lower) * invWidth);
      let c = Math.fround(Math.fround(src[r1 + i]! - lower) * invWidth);
      let d = Math.fround(Math.fround(src[r1 + i + 1]! - lower) * invWidth);
      a = a < 0 ? 0 : a > 1 ? 1 : a;
      b = b < 0 ? 0 : b > 1 ? 1 : b;
      c = c < 0 ? 0 : c > 1 ? 1 : c;
      d = d < 0 ? 0 : d > 1 ? 1 : d;
      dst[out + x] = half * Math.fround(0.5 * a + 0.5 * b) + half * Math.fround(0.5 * c + 0.5 * d) + bias;
    }
  }
}

/**
 * One source row windowed and resampled horizontally into dst[dstOffset ..+ xt.dstSize]. The
 * 2-tap case (2x area, bilinear) windows each tap in registers; wider tables window the row into
 * a scratch first. Both round the windowed value to float32 before weighting, like the reference.
 */
function windowResampleRow(
  src: Float32Array,
  srcOffset: number,
  columns: number,
  w: WindowLinear,
  xt: ResampleTable,
  dst: Float32Array,
  dstOffset: number,
): void {
  const { lower, invWidth } = w;
  const { index, weight, dstSize } = xt;
  if (xt.halving) {
    // 512 -> 256: pairs of neighbours, no table lookups (~30% faster than the indexed loop).
    for (let o = 0, i = srcOffset; o < dstSize; o++, i += 2) {
      let a = Math.fround(Math.fround(src[i]! - lower) * invWidth);
      let b = Math.fround(Math.fround(src[i + 1]! - lower) * invWidth);
      a = a < 0 ? 0 : a > 1 ? 1 : a;
      b = b < 0 ? 0 : b > 1 ? 1 : b;
      dst[dstOffset + o] = 0.5 * a + 0.5 * b;
    }
    return;
  }
  if (xt.taps !== 2) {
    windowRow(src, srcOffset, columns, w, rowScratch, 0);
    resampleRow(rowScratch, 0, xt, dst, dstOffset);
    return;
  }
  for (let o = 0, k = 0; o < dstSize; o++, k += 2) {
    let a = Math.fround(Math.fround(src[srcOffset + index[k]!]! - lower) * invWidth);
    let b = Math.fround(Math.fround(src[srcOffset + index[k + 1]!]! - lower) * invWidth);
    a = a < 0 ? 0 : a > 1 ? 1 : a;
    b = b < 0 ? 0 : b > 1 ? 1 : b;
    dst[dstOffset + o] = weight[k]! * a + weight[k + 1]! * b;
  }
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
