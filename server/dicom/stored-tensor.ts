import { AppError } from '@/lib/errors';
import type { PreprocessSpec } from '@/lib/model-manifest';
import { toHounsfield, type HounsfieldOptions } from './hounsfield';
import { resampleColumnRow, resampleTable, type ResampleTable } from './resize';
import { buildTensor, tensorPlan, type TensorPlan } from './tensor';
import type { DicomHeader, StoredFrame } from './types';

/**
 * A table from every possible stored value to each window's output: `table[((v + offset) << shift)
 * + c]` is channel c's windowed value (float32, clamped to [0,1]) of stored value v, halved in a
 * 'half' table. Slot `channels` of each entry is 0 when every channel is exactly +0 for that value
 * (air, padding: below every window), else 1, so kernels skip the lookups and arithmetic of such
 * pixels (adding w x +0 never changes a sum, so skipping is exact). 8- and 16-bit data only (256
 * or 65,536 entries): the table covers the whole type, so the hot loops need no bounds test
 * whatever a sender puts in the pixels. Entries are padded to a power of two (index by shift).
 *
 * 'half' feeds the 2x shrink: halving a float32 is exact (checked at build), so `t[p] + t[q]` is
 * the same double as `0.5 * a + 0.5 * b`. 'full' feeds every other resample (any area ratio,
 * bilinear), which multiplies by the resample weights as buildTensor does.
 */
interface StoredTable {
  offset: number;
  shift: number;
  table: Float32Array;
}

type TableKind = 'half' | 'full';
type TableArray = Int8Array | Uint8Array | Int16Array | Uint16Array;
type Domain = { Type: new (n: number) => TableArray; min: number; size: number };

function tableDomain(pixels: StoredFrame['pixels']): Domain | undefined {
  if (pixels instanceof Int16Array) return { Type: Int16Array, min: -32768, size: 65536 };
  if (pixels instanceof Uint16Array) return { Type: Uint16Array, min: 0, size: 65536 };
  if (pixels instanceof Int8Array) return { Type: Int8Array, min: -128, size: 256 };
  if (pixels instanceof Uint8Array) return { Type: Uint8Array, min: 0, size: 256 };
  return undefined; // 32-bit values: a table would be too big; the two-step path handles them
}

/** Every header field toHounsfield reads, so equal keys mean equal HU for every stored value. */
function rescaleKey(domain: Domain, header: DicomHeader, invert: boolean): string {
  return [
    domain.Type.name,
    header.rescaleSlope,
    header.rescaleIntercept,
    header.bitsStored,
    header.pixelRepresentation,
    header.photometricInterpretation,
    header.pixelPaddingValue,
    header.pixelPaddingRangeLimit,
    invert,
  ].join('|');
}

// Tables per spec (weak: an unloaded model frees them), then per rescale and kind: a series shares
// one rescale, so a worker builds a table once per series kind, not per slice. Each is 1 MB for up
// to three windows on 16-bit data; the maps are cleared, not grown, past a few rescales.
const TABLES_PER_SPEC = 8;
const tables = new WeakMap<TensorPlan, Map<string, StoredTable | null>>();
const huTables = new Map<string, StoredHu>();

/** HU of every stored value of a type, as toHounsfield computes them: `hu[v + offset]`. */
export interface StoredHu {
  offset: number;
  hu: Float32Array;
}

/**
 * The HU toHounsfield gives each stored value of `pixels`' type under `header`'s rescale (cached
 * per rescale), or undefined for 32-bit data. For callers that need HU at a few pixels only.
 */
export function storedHu(header: DicomHeader, pixels: StoredFrame['pixels'], options: Pick<HounsfieldOptions, 'invertMonochrome1'> = {}): StoredHu | undefined {
  const domain = tableDomain(pixels);
  return domain && huFor(domain, header, options.invertMonochrome1 === true, rescaleKey(domain, header, options.invertMonochrome1 === true));
}

function huFor(domain: Domain, header: DicomHeader, invert: boolean, key: string): StoredHu {
  let entry = huTables.get(key);
  if (!entry) {
    // Computed by toHounsfield itself (one row holding the whole domain), so padding, the RSNA
    // correction, inversion and float32 rounding are the same code, not a copy.
    const values = new domain.Type(domain.size);
    for (let k = 0; k < domain.size; k++) values[k] = domain.min + k;
    const { hu } = toHounsfield(header, { rows: 1, columns: domain.size, pixels: values }, undefined, { invertMonochrome1: invert });
    entry = { offset: -domain.min, hu };
    if (huTables.size >= TABLES_PER_SPEC) huTables.clear();
    huTables.set(key, entry);
  }
  return entry;
}

function tableFor(plan: TensorPlan, header: DicomHeader, domain: Domain, invert: boolean, kind: TableKind): StoredTable | null {
  const hKey = rescaleKey(domain, header, invert);
  const key = `${kind}|${hKey}`;
  let perSpec = tables.get(plan);
  if (!perSpec) tables.set(plan, (perSpec = new Map()));
  let entry = perSpec.get(key);
  if (entry === undefined) {
    entry = buildTable(plan, huFor(domain, header, invert, hKey), kind);
    if (perSpec.size >= TABLES_PER_SPEC) perSpec.clear();
    perSpec.set(key, entry);
  }
  return entry;
}

/** The table for one rescale, or null for 'half' when some halved value would not be exact (never seen in CT). */
function buildTable(plan: TensorPlan, { offset, hu }: StoredHu, kind: TableKind): StoredTable | null {
  const channels = plan.lin.length;
  let shift = 0;
  while (1 << shift < channels + 1) shift++;
  const stride = 1 << shift;
  const size = hu.length;
  const table = new Float32Array(size * stride);
  for (let c = 0; c < channels; c++) {
    const { lower, invWidth } = plan.lin[c]!;
    for (let k = 0; k < size; k++) {
      // The windowing of tensor.ts, step for step: float32 subtract, float32 multiply, clamp.
      let v = Math.fround(Math.fround(hu[k]! - lower) * invWidth);
      v = v < 0 ? 0 : v > 1 ? 1 : v;
      if (!Object.is(v, 0)) table[k * stride + channels] = 1;
      if (kind === 'full') {
        table[k * stride + c] = v;
        continue;
      }
      const half = Math.fround(0.5 * v);
      if (half * 2 !== v) return null; // a subnormal half: take the 'full' path instead
      table[k * stride + c] = half;
    }
  }
  return { offset, shift, table };
}

// A Uint32 read of two 16-bit pixels puts the first in the low half only on a little-endian host.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The model input for one slice straight from its stored values: bit-identical to
 * `buildTensor(toHounsfield(header, frame, undefined, options), spec)`, without the HU image.
 *
 * With 8/16-bit data every resample takes a table (stored value -> every window's output, built
 * once per rescale): each stored pixel is read once for all windows. The 2x area shrink (512 ->
 * 256) blends each 2x2 block with exactly the roundings of buildTensor's halving loop; every
 * other size and mode (512 -> 128 or 192, 4x, non-integer ratios, upsampling, non-square,
 * bilinear) runs buildTensor's separable passes with the table in place of the windowing: the
 * horizontal pass sums `weight x table value` in the same order into the same float32 rows, the
 * vertical pass is the same function (resampleColumnRow). Pixels below every window (air,
 * padding) skip their lookups. Only 32-bit data takes the two-step path. Warnings about the
 * rescale are not reported here: callers that want them run toHounsfield.
 */
export function buildTensorFromStored(
  header: DicomHeader,
  frame: StoredFrame,
  spec: PreprocessSpec,
  out?: Float32Array,
  options: Pick<HounsfieldOptions, 'invertMonochrome1'> = {},
): Float32Array {
  const plan = tensorPlan(spec);
  const { rows, columns, pixels } = frame;
  const { height, width } = spec.inputSize;
  const channels = spec.windows.length;
  const plane = height * width;
  if (out !== undefined && out.length !== channels * plane) {
    throw new AppError('INTERNAL', `tensor buffer has ${out.length} values, expected ${channels}x${height}x${width}`);
  }
  if (!(rows >= 1 && columns >= 1) || pixels.length !== rows * columns) {
    throw new AppError('INTERNAL', `frame has ${pixels.length} values, expected ${rows}x${columns}`);
  }
  const invert = options.invertMonochrome1 === true;
  const domain = tableDomain(pixels);
  if (!domain) return buildTensor(toHounsfield(header, frame, undefined, { invertMonochrome1: invert }), spec, out);

  const dst = out ?? new Float32Array(channels * plane);
  const px = pixels as TableArray;
  const { invStd, bias } = plan;
  const xt = resampleTable(spec.resize, columns, width);
  const yt = resampleTable(spec.resize, rows, height);
  const half = xt.halving && yt.halving ? tableFor(plan, header, domain, invert, 'half') : null;
  if (half === null) {
    resampleStored(px, tableFor(plan, header, domain, invert, 'full')!, channels, columns, xt, yt, invStd, bias, dst);
    return dst;
  }
  if (channels !== 3) {
    for (let c = 0; c < channels; c++) halveStored(px, half, c, columns, height, width, invStd[c]!, bias[c]!, dst);
    return dst;
  }
  const [s0, s1, s2] = invStd as [number, number, number];
  const [b0, b1, b2] = bias as [number, number, number];
  const sixteenBit = pixels instanceof Int16Array || pixels instanceof Uint16Array;
  if (sixteenBit && LITTLE_ENDIAN && pixels.byteOffset % 4 === 0) {
    const pairs = new Uint32Array(pixels.buffer, pixels.byteOffset, pixels.length >> 1);
    halvePairs3(pairs, pixels instanceof Int16Array, half, columns, height, width, s0, s1, s2, b0, b1, b2, dst);
  } else {
    halveStored3(px, half, columns, height, width, s0, s1, s2, b0, b1, b2, dst);
  }
  return dst;
}

/**
 * Three windows (the default model), 16-bit pixels read two at a time (one aligned 32-bit load per
 * horizontal pair), each looked up once for all channels. Per channel this is buildTensor's
 * halveWindowed verbatim: `(0.5 invStd) * fround(0.5a + 0.5b) + (0.5 invStd) * fround(0.5c + 0.5d)
 * + bias`, with the table holding the halves and the scale written as `invStd * 0.5` hoisted. A
 * block of four pixels below every window gets that formula's value for four +0s, computed once.
 */
function halvePairs3(
  pairs: Uint32Array,
  signed: boolean,
  { offset, table }: StoredTable,
  columns: number,
  height: number,
  width: number,
  s0: number,
  s1: number,
  s2: number,
  b0: number,
  b1: number,
  b2: number,
  dst: Float32Array,
): void {
  const plane = height * width;
  const h0 = 0.5 * s0;
  const h1 = 0.5 * s1;
  const h2 = 0.5 * s2;
  const z0 = h0 * Math.fround(0 + 0) + h0 * Math.fround(0 + 0) + b0;
  const z1 = h1 * Math.fround(0 + 0) + h1 * Math.fround(0 + 0) + b1;
  const z2 = h2 * Math.fround(0 + 0) + h2 * Math.fround(0 + 0) + b2;
  // A pair word holds the first pixel in its low 16 bits; `(h << 16) >> 16` sign-extends a half
  // for Int16, a shift of 0 leaves it unsigned: no branch in the loop.
  const shift = signed ? 16 : 0;
  for (let o = 0; o < height; o++) {
    const r0 = o * columns; // two source rows per output row, two pixels per word
    const r1 = r0 + (columns >> 1);
    const out = o * width;
    for (let x = 0; x < width; x++) {
      const u = pairs[r0 + x]!;
      const w = pairs[r1 + x]!;
      const p = ((((u & 0xffff) << shift) >> shift) + offset) << 2;
      const q = ((((u >>> 16) << shift) >> shift) + offset) << 2;
      const s = ((((w & 0xffff) << shift) >> shift) + offset) << 2;
      const t = ((((w >>> 16) << shift) >> shift) + offset) << 2;
      if (table[p + 3]! + table[q + 3]! + table[s + 3]! + table[t + 3]! === 0) {
        dst[out + x] = z0;
        dst[plane + out + x] = z1;
        dst[2 * plane + out + x] = z2;
        continue;
      }
      dst[out + x] = h0 * Math.fround(table[p]! + table[q]!) + h0 * Math.fround(table[s]! + table[t]!) + b0;
      dst[plane + out + x] = h1 * Math.fround(table[p + 1]! + table[q + 1]!) + h1 * Math.fround(table[s + 1]! + table[t + 1]!) + b1;
      dst[2 * plane + out + x] = h2 * Math.fround(table[p + 2]! + table[q + 2]!) + h2 * Math.fround(table[s + 2]! + table[t + 2]!) + b2;
    }
  }
}

/** Three windows, any 8/16-bit array (unaligned or 8-bit data): same arithmetic as halvePairs3. */
function halveStored3(
  px: TableArray,
  { offset, table }: StoredTable,
  columns: number,
  height: number,
  width: number,
  s0: number,
  s1: number,
  s2: number,
  b0: number,
  b1: number,
  b2: number,
  dst: Float32Array,
): void {
  const plane = height * width;
  const h0 = 0.5 * s0;
  const h1 = 0.5 * s1;
  const h2 = 0.5 * s2;
  const z0 = h0 * Math.fround(0 + 0) + h0 * Math.fround(0 + 0) + b0;
  const z1 = h1 * Math.fround(0 + 0) + h1 * Math.fround(0 + 0) + b1;
  const z2 = h2 * Math.fround(0 + 0) + h2 * Math.fround(0 + 0) + b2;
  for (let o = 0; o < height; o++) {
    const r0 = 2 * o * columns;
    const r1 = r0 + columns;
    const out = o * width;
    for (let x = 0, i = 0; x < width; x++, i += 2) {
      const p = (px[r0 + i]! + offset) << 2;
      const q = (px[r0 + i + 1]! + offset) << 2;
      const s = (px[r1 + i]! + offset) << 2;
      const t = (px[r1 + i + 1]! + offset) << 2;
      if (table[p + 3]! + table[q + 3]! + table[s + 3]! + table[t + 3]! === 0) {
        dst[out + x] = z0;
        dst[plane + out + x] = z1;
        dst[2 * plane + out + x] = z2;
        continue;
      }
      dst[out + x] = h0 * Math.fround(table[p]! + table[q]!) + h0 * Math.fround(table[s]! + table[t]!) + b0;
      dst[plane + out + x] = h1 * Math.fround(table[p + 1]! + table[q + 1]!) + h1 * Math.fround(table[s + 1]! + table[t + 1]!) + b1;
      dst[2 * plane + out + x] = h2 * Math.fround(table[p + 2]! + table[q + 2]!) + h2 * Math.fround(table[s + 2]! + table[t + 2]!) + b2;
    }
  }
}

/** Any other number of windows: one channel per call, same arithmetic as halveStored3. */
function halveStored(
  px: TableArray,
  { offset, shift, table }: StoredTable,
  c: number,
  columns: number,
  height: number,
  width: number,
  invStd: number,
  bias: number,
  dst: Float32Array,
): void {
  const half = 0.5 * invStd;
  const base = c * height * width;
  for (let o = 0; o < height; o++) {
    const r0 = 2 * o * columns;
    const r1 = r0 + columns;
    const out = base + o * width;
    for (let x = 0, i = 0; x < width; x++, i += 2) {
      const a = table[((px[r0 + i]! + offset) << shift) + c]!;
      const b = table[((px[r0 + i + 1]! + offset) << shift) + c]!;
      const d = table[((px[r1 + i]! + offset) << shift) + c]!;
      const e = table[((px[r1 + i + 1]! + offset) << shift) + c]!;
      dst[out + x] = half * Math.fround(a + b) + half * Math.fround(d + e) + bias;
    }
  }
}

// The rolling horizontal-pass rows (channels x taps x width) and per-channel sums of the general
// path, reused across calls: synchronous, and each worker thread has its own module instance.
let ringScratch = new Float32Array(0);
let sumScratch = new Float64Array(0);

/**
 * Any resample (area at any ratio, bilinear, up or down, non-square) from stored values: the
 * structure of buildTensor's general path, with the table in place of the windowing. Each source
 * row an output reads is resampled horizontally for all channels at once into `yt.taps` rolling
 * rows (slot r % taps); each output row is then blended from them by resampleColumnRow, the very
 * function buildTensor calls, with the normalisation folded in. The horizontal sums start at 0 and
 * add `weight x value` tap by tap in table order, as resampleRow and windowResampleRow do (0 + x
 * is x exactly, so their unrolled two-tap forms agree), and are rounded to float32 by the store.
 */
function resampleStored(
  px: TableArray,
  entry: StoredTable,
  channels: number,
  columns: number,
  xt: ResampleTable,
  yt: ResampleTable,
  invStd: number[],
  bias: number[],
  dst: Float32Array,
): void {
  const width = xt.dstSize;
  const height = yt.dstSize;
  const plane = height * width;
  const ring = yt.taps;
  const ringStride = ring * width;
  if (ringScratch.length < channels * ringStride) ringScratch = new Float32Array(channels * ringStride);
  if (sumScratch.length < channels) sumScratch = new Float64Array(channels);
  const rowsOut = ringScratch;
  const { index, taps } = yt;
  let next = 0; // first source row not yet in the ring; rows no output reads are skipped
  for (let o = 0; o < height; o++) {
    const last = index[o * taps + taps - 1]!; // taps are ascending; padding repeats the last one
    next = Math.max(next, index[o * taps]!);
    for (; next <= last; next++) {
      const slot = (next % ring) * width;
      if (channels === 3) rowStored3(px, next * columns, entry, xt, rowsOut, slot, ringStride);
      else rowStored(px, next * columns, entry, channels, xt, rowsOut, slot, ringStride, sumScratch);
    }
    for (let c = 0; c < channels; c++) {
      resampleColumnRow(rowsOut, c * ringStride, width, yt, o, ring, dst, c * plane + o * width, invStd[c]!, bias[c]!);
    }
  }
}

/** One source row, three windows, into ring rows at `slot`, `slot + stride`, `slot + 2 stride`. */
function rowStored3(px: TableArray, start: number, { offset, table }: StoredTable, xt: ResampleTable, dst: Float32Array, slot: number, stride: number): void {
  const { index, weight, taps, dstSize } = xt;
  const d1 = slot + stride;
  const d2 = slot + 2 * stride;
  for (let x = 0, k = 0; x < dstSize; x++) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    for (const end = k + taps; k < end; k++) {
      const p = (px[start + index[k]!]! + offset) << 2;
      if (table[p + 3] === 0) continue; // every window +0 here: w x 0 adds nothing
      const w = weight[k]!;
      a0 += w * table[p]!;
      a1 += w * table[p + 1]!;
      a2 += w * table[p + 2]!;
    }
    dst[slot + x] = a0;
    dst[d1 + x] = a1;
    dst[d2 + x] = a2;
  }
}

/** One source row, any number of windows (sums in float64, as in rowStored3). */
function rowStored(
  px: TableArray,
  start: number,
  { offset, shift, table }: StoredTable,
  channels: number,
  xt: ResampleTable,
  dst: Float32Array,
  slot: number,
  stride: number,
  sum: Float64Array,
): void {
  const { index, weight, taps, dstSize } = xt;
  for (let x = 0, k = 0; x < dstSize; x++) {
    sum.fill(0, 0, channels);
    for (const end = k + taps; k < end; k++) {
      const p = (px[start + index[k]!]! + offset) << shift;
      if (table[p + channels] === 0) continue;
      const w = weight[k]!;
      for (let c = 0; c < channels; c++) sum[c] = sum[c]! + w * table[p + c]!;
    }
    for (let c = 0; c < channels; c++) dst[c * stride + slot + x] = sum[c]!;
  }
}
