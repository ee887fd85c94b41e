import { AppError } from '@/lib/errors';
import type { PreprocessSpec } from '@/lib/model-manifest';

/** How a slice is resampled to the model input: the manifest's `resize` field. */
export type ResizeMode = PreprocessSpec['resize'];

/**
 * One axis of a separable resample: output index `o` is `sum_t weight[o*taps+t] * src[index[o*taps+t]]`.
 * Outputs with fewer real taps are padded with weight 0 on a valid index, so inner loops never branch
 * or read out of bounds. Weights of each output sum to 1.
 */
export interface ResampleTable {
  mode: ResizeMode;
  srcSize: number;
  dstSize: number;
  taps: number;
  index: Int32Array;
  weight: Float64Array;
  /** 1 where some output reads this source index with a non-zero weight; lets callers skip rows. */
  used: Uint8Array;
  /**
   * True when output o is exactly (src[2o] + src[2o+1]) / 2 (a 2x area shrink, and bilinear at
   * exactly 2x too): the 512 -> 256 case, which hot loops run without index/weight lookups.
   */
  halving: boolean;
}

// Tables depend only on (mode, src, dst) and a deployment sees a handful of slice sizes, so a small
// cache built once per pair keeps allocation out of the per-slice path. Cleared, not LRU: a flood of
// odd sizes just rebuilds tables (microseconds), it never grows without bound.
const TABLE_CACHE_LIMIT = 64;
const tableCache = new Map<string, ResampleTable>();

/** The cached resample table mapping `srcSize` samples onto `dstSize` samples with `mode`. */
export function resampleTable(mode: ResizeMode, srcSize: number, dstSize: number): ResampleTable {
  const key = `${mode}:${srcSize}:${dstSize}`;
  let table = tableCache.get(key);
  if (!table) {
    if (!Number.isInteger(srcSize) || !Number.isInteger(dstSize) || srcSize < 1 || dstSize < 1) {
      throw new AppError('INTERNAL', `resample sizes must be positive integers, got ${srcSize} -> ${dstSize}`);
    }
    const taps = mode === 'area' ? areaTaps(srcSize, dstSize) : bilinearTaps(srcSize, dstSize);
    table = packTable(mode, srcSize, dstSize, taps);
    if (tableCache.size >= TABLE_CACHE_LIMIT) tableCache.clear();
    tableCache.set(key, table);
  }
  return table;
}

type Taps = Array<Array<[index: number, weight: number]>>;

/**
 * Exact box-filter overlap (OpenCV INTER_AREA semantics): output `o` covers source interval
 * [o*s, (o+1)*s) with s = src/dst and each source pixel weighs by its overlap. Integer arithmetic
 * in units of 1/dst avoids spurious 1e-16 taps at boundaries. Works for both directions: when
 * upsampling an output lies inside one source pixel (copy) or straddles two (blend).
 */
function areaTaps(src: number, dst: number): Taps {
  const taps: Taps = [];
  for (let o = 0; o < dst; o++) {
    const a = o * src;
    const b = (o + 1) * src;
    const first = Math.floor(a / dst);
    const last = Math.ceil(b / dst) - 1;
    const row: Array<[number, number]> = [];
    for (let i = first; i <= last; i++) {
      const overlap = Math.min(b, (i + 1) * dst) - Math.max(a, i * dst);
      if (overlap > 0) row.push([i, overlap / src]);
    }
    taps.push(row);
  }
  return taps;
}

/**
 * Bilinear with align_corners=false (PyTorch `interpolate`, OpenCV INTER_LINEAR): pixel centres map
 * by x_src = (x_dst + 0.5) * src/dst - 0.5, clamped to the edge. No antialiasing when shrinking,
 * exactly like those references.
 */
function bilinearTaps(src: number, dst: number): Taps {
  const taps: Taps = [];
  const scale = src / dst;
  for (let o = 0; o < dst; o++) {
    const s = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), src - 1);
    const i0 = Math.floor(s);
    const w1 = s - i0;
    taps.push(w1 > 0 ? [[i0, 1 - w1], [i0 + 1, w1]] : [[i0, 1]]);
  }
  return taps;
}

function packTable(mode: ResizeMode, srcSize: number, dstSize: number, rows: Taps): ResampleTable {
  const taps = Math.max(...rows.map((r) => r.length));
  const index = new Int32Array(dstSize * taps);
  const weight = new Float64Array(dstSize * taps);
  const used = new Uint8Array(srcSize);
  rows.forEach((row, o) => {
    for (let t = 0; t < taps; t++) {
      const entry = row[Math.min(t, row.length - 1)] as [number, number];
      index[o * taps + t] = entry[0];
      weight[o * taps + t] = t < row.length ? entry[1] : 0;
      if (t < row.length) used[entry[0]] = 1;
    }
  });
  const halving =
    taps === 2 && srcSize === 2 * dstSize && rows.every((r, o) => r.length === 2 && r[0]![0] === 2 * o && r[0]![1] === 0.5 && r[1]![1] === 0.5);
  return { mode, srcSize, dstSize, taps, index, weight, used, halving };
}

/** Resamples one row: `dst[dstOffset + o] = sum_t w * src[srcOffset + index]` for every output of `table`. */
export function resampleRow(
  src: Float32Array,
  srcOffset: number,
  table: ResampleTable,
  dst: Float32Array,
  dstOffset: number,
): void {
  const { taps, index, weight, dstSize } = table;
  if (taps === 2) {
    // The common case (2x area, any bilinear) unrolled: about twice as fast as the generic loop.
    for (let o = 0, k = 0; o < dstSize; o++, k += 2) {
      dst[dstOffset + o] =
        weight[k]! * src[srcOffset + index[k]!]! +
        weight[k + 1]! * src[srcOffset + index[k + 1]!]!;
    }
    return;
  }
  for (let o = 0, k = 0; o < dstSize; o++) {
    let acc = 0;
    for (let t = 0; t < taps; t++, k++) acc += weight[k]! * src[srcOffset + index[k]!]!;
    dst[dstOffset + o] = acc;
  }
}

// Reused float64 row for the generic vertical pass; synchronous use only (see `scratch` below).
let accumulator = new Float64Array(0);

/**
 * Computes output row `o` of a vertical pass: source row r is the `width` values at
 * srcOffset + (r % ring) * width, so `src` may hold all rows (ring = table.srcSize) or only a
 * rolling window of the last `ring` rows (ring >= table.taps; the rows one output reads are
 * consecutive, so they never share a slot). Writes `value * scale + bias`: callers fuse a
 * normalisation into this last pass.
 */
export function resampleColumnRow(
  src: Float32Array,
  srcOffset: number,
  width: number,
  table: ResampleTable,
  o: number,
  ring: number,
  dst: Float32Array,
  dstOffset: number,
  scale = 1,
  bias = 0,
): void {
  const { taps, index, weight } = table;
  const k = o * taps;
  const w0 = weight[k]! * scale;
  const r0 = srcOffset + (index[k]! % ring) * width;
  if (taps === 1) {
    for (let x = 0; x < width; x++) dst[dstOffset + x] = w0 * src[r0 + x]! + bias;
  } else if (taps === 2) {
    const w1 = weight[k + 1]! * scale;
    const r1 = srcOffset + (index[k + 1]! % ring) * width;
    for (let x = 0; x < width; x++) dst[dstOffset + x] = w0 * src[r0 + x]! + w1 * src[r1 + x]! + bias;
  } else {
    // Wider filters (area shrink by a non-integer or > 2 factor) sum in a float64 row, as the
    // 1- and 2-tap paths do in registers: accumulating in the float32 output would round once
    // per tap and drift from the float64 reference (models/training/preprocess.py).
    if (accumulator.length < width) accumulator = new Float64Array(width);
    const acc = accumulator;
    for (let x = 0; x < width; x++) acc[x] = w0 * src[r0 + x]!;
    for (let t = 1; t < taps; t++) {
      const w = weight[k + t]! * scale;
      const r = srcOffset + (index[k + t]! % ring) * width;
      for (let x = 0; x < width; x++) acc[x] = acc[x]! + w * src[r + x]!;
    }
    for (let x = 0; x < width; x++) dst[dstOffset + x] = acc[x]! + bias;
  }
}

/** Resamples along columns: `src` holds table.srcSize rows of `width`; writes table.dstSize rows to `dst`. */
export function resampleColumns(
  src: Float32Array,
  srcOffset: number,
  width: number,
  table: ResampleTable,
  dst: Float32Array,
  dstOffset: number,
  scale = 1,
  bias = 0,
): void {
  for (let o = 0; o < table.dstSize; o++) {
    resampleColumnRow(src, srcOffset, width, table, o, table.srcSize, dst, dstOffset + o * width, scale, bias);
  }
}

let scratch = new Float32Array(0);

/** Resamples a row-major `rows x cols` image to `height x width`; writes into `out` when given. */
export function resize(
  src: Float32Array,
  rows: number,
  cols: number,
  height: number,
  width: number,
  mode: ResizeMode,
  out?: Float32Array,
): Float32Array {
  if (src.length !== rows * cols) throw new AppError('INTERNAL', `image has ${src.length} pixels, expected ${rows}x${cols}`);
  const dst = out ?? new Float32Array(height * width);
  if (dst.length !== height * width) throw new AppError('INTERNAL', `out has ${dst.length} elements, expected ${height}x${width}`);
  if (rows === height && cols === width) {
    if (dst !== src) dst.set(src);
    return dst;
  }
  const xt = resampleTable(mode, cols, width);
  const yt = resampleTable(mode, rows, height);
  // Horizontal pass into a reused scratch (rows x width), only for rows the vertical pass reads.
  // Synchronous and single-threaded per worker, so one module-level scratch cannot be shared mid-use.
  if (scratch.length < rows * width) scratch = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    if (yt.used[r]) resampleRow(src, r * cols, xt, scratch, r * width);
  }
  resampleColumns(scratch, 0, width, yt, dst, 0);
  return dst;
}
