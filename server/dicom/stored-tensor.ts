import { AppError } from '@/lib/errors';
import type { PreprocessSpec } from '@/lib/model-manifest';
import { toHounsfield, type HounsfieldOptions } from './hounsfield';
import { resampleTable } from './resize';
import { buildTensor, tensorPlan, type TensorPlan } from './tensor';
import type { DicomHeader, StoredFrame } from './types';

/**
 * A table from every possible stored value to each window's output, halved: `table[(v + offset) *
 * stride + c]` is 0.5 x channel c's windowed value (float32, clamped to [0,1]) of stored value v.
 * The 0.5 is the area weight of the 2x shrink; halving a float32 is exact (checked at build), so
 * `t[p] + t[q]` is the same double as `0.5 * a + 0.5 * b`. 8- and 16-bit data only (256 or 65,536
 * entries): the table covers the whole type, so the hot loop needs no bounds test whatever a
 * sender puts in the pixels. Three channels are padded to a stride of 4 (index by shift).
 */
interface StoredTable {
  offset: number;
  stride: number;
  table: Float32Array;
}

type TableArray = Int8Array | Uint8Array | Int16Array | Uint16Array;

function tableDomain(pixels: StoredFrame['pixels']): { Type: new (n: number) => TableArray; min: number; size: number } | undefined {
  if (pixels instanceof Int16Array) return { Type: Int16Array, min: -32768, size: 65536 };
  if (pixels instanceof Uint16Array) return { Type: Uint16Array, min: 0, size: 65536 };
  if (pixels instanceof Int8Array) return { Type: Int8Array, min: -128, size: 256 };
  if (pixels instanceof Uint8Array) return { Type: Uint8Array, min: 0, size: 256 };
  return undefined; // 32-bit values: a table would be too big; the two-step path handles them
}

// Tables per spec (weak: an unloaded model frees them), then per rescale: a series shares one
// rescale, so a worker builds a table once per series kind, not per slice. Each is 768 KB for
// three windows on 16-bit data; the per-spec map is cleared, not grown, past a few rescales.
const TABLES_PER_SPEC = 8;
const tables = new WeakMap<TensorPlan, Map<string, StoredTable | null>>();

function tableFor(plan: TensorPlan, header: DicomHeader, pixels: StoredFrame['pixels'], invert: boolean): StoredTable | null {
  const domain = tableDomain(pixels);
  if (!domain) return null;
  // Every header field toHounsfield reads, so equal keys mean equal HU for every stored value.
  const key = [
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
  let perSpec = tables.get(plan);
  if (!perSpec) tables.set(plan, (perSpec = new Map()));
  let entry = perSpec.get(key);
  if (entry === undefined) {
    entry = buildTable(plan, header, domain, invert);
    if (perSpec.size >= TABLES_PER_SPEC) perSpec.clear();
    perSpec.set(key, entry);
  }
  return entry;
}

/** The table for one rescale, or null when some halved value would not be exact (never seen in CT). */
function buildTable(plan: TensorPlan, header: DicomHeader, domain: NonNullable<ReturnType<typeof tableDomain>>, invert: boolean): StoredTable | null {
  // HU of every stored value computed by toHounsfield itself (one row holding the whole domain),
  // so padding, the RSNA correction, inversion and float32 rounding are the same code, not a copy.
  const values = new domain.Type(domain.size);
  for (let k = 0; k < domain.size; k++) values[k] = domain.min + k;
  const { hu } = toHounsfield(header, { rows: 1, columns: domain.size, pixels: values }, undefined, { invertMonochrome1: invert });
  const channels = plan.lin.length;
  const stride = channels === 3 ? 4 : channels;
  const table = new Float32Array(domain.size * stride);
  for (let c = 0; c < channels; c++) {
    const { lower, invWidth } = plan.lin[c]!;
    for (let k = 0; k < domain.size; k++) {
      // The windowing of tensor.ts, step for step: float32 subtract, float32 multiply, clamp.
      let v = Math.fround(Math.fround(hu[k]! - lower) * invWidth);
      v = v < 0 ? 0 : v > 1 ? 1 : v;
      const half = Math.fround(0.5 * v);
      if (half * 2 !== v) return null; // a subnormal half: take the two-step path instead
      table[k * stride + c] = half;
    }
  }
  return { offset: -domain.min, stride, table };
}

// A Uint32 read of two 16-bit pixels puts the first in the low half only on a little-endian host.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The model input for one slice straight from its stored values: bit-identical to
 * `buildTensor(toHounsfield(header, frame, undefined, options), spec)`, without the HU image.
 *
 * For the default 2x area shrink (512 -> 256) with 8/16-bit data each stored pixel is read once
 * for all windows and looked up in a table (stored value -> every window's output, built once per
 * rescale), and each 2x2 block is blended with exactly the roundings of buildTensor's halving
 * loop. Everything else (32-bit data, other sizes, bilinear) takes the two-step path. Warnings
 * about the rescale are not reported here: callers that want them run toHounsfield.
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
  const halving = resampleTable(spec.resize, columns, width).halving && resampleTable(spec.resize, rows, height).halving;
  const entry = halving ? tableFor(plan, header, pixels, invert) : null;
  if (entry === null) return buildTensor(toHounsfield(header, frame, undefined, { invertMonochrome1: invert }), spec, out);

  const dst = out ?? new Float32Array(channels * plane);
  const { invStd, bias } = plan;
  if (channels !== 3) {
    for (let c = 0; c < channels; c++) halveStored(pixels as TableArray, entry, c, columns, height, width, invStd[c]!, bias[c]!, dst);
    return dst;
  }
  const [s0, s1, s2] = invStd as [number, number, number];
  const [b0, b1, b2] = bias as [number, number, number];
  const sixteenBit = pixels instanceof Int16Array || pixels instanceof Uint16Array;
  if (sixteenBit && LITTLE_ENDIAN && pixels.byteOffset % 4 === 0) {
    const pairs = new Uint32Array(pixels.buffer, pixels.byteOffset, pixels.length >> 1);
    halvePairs3(pairs, pixels instanceof Int16Array, entry, columns, height, width, s0, s1, s2, b0, b1, b2, dst);
  } else {
    halveStored3(pixels as TableArray, entry, columns, height, width, s0, s1, s2, b0, b1, b2, dst);
  }
  return dst;
}

/**
 * Three windows (the default model), 16-bit pixels read two at a time (one aligned 32-bit load per
 * horizontal pair), each looked up once for all channels. Per channel this is buildTensor's
 * halveWindowed verbatim: `(0.5 invStd) * fround(0.5a + 0.5b) + (0.5 invStd) * fround(0.5c + 0.5d)
 * + bias`, with the table holding the halves and the scale written as `invStd * 0.5` hoisted.
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
  for (let o = 0; o < height; o++) {
    const r0 = 2 * o * columns;
    const r1 = r0 + columns;
    const out = o * width;
    for (let x = 0, i = 0; x < width; x++, i += 2) {
      const p = (px[r0 + i]! + offset) << 2;
      const q = (px[r0 + i + 1]! + offset) << 2;
      const s = (px[r1 + i]! + offset) << 2;
      const t = (px[r1 + i + 1]! + offset) << 2;
      dst[out + x] = h0 * Math.fround(table[p]! + table[q]!) + h0 * Math.fround(table[s]! + table[t]!) + b0;
      dst[plane + out + x] = h1 * Math.fround(table[p + 1]! + table[q + 1]!) + h1 * Math.fround(table[s + 1]! + table[t + 1]!) + b1;
      dst[2 * plane + out + x] = h2 * Math.fround(table[p + 2]! + table[q + 2]!) + h2 * Math.fround(table[s + 2]! + table[t + 2]!) + b2;
    }
  }
}

/** Any other number of windows: one channel per call, same arithmetic as halveStored3. */
function halveStored(
  px: TableArray,
  { offset, stride, table }: StoredTable,
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
      const a = table[(px[r0 + i]! + offset) * stride + c]!;
      const b = table[(px[r0 + i + 1]! + offset) * stride + c]!;
      const d = table[(px[r1 + i]! + offset) * stride + c]!;
      const e = table[(px[r1 + i + 1]! + offset) * stride + c]!;
      dst[out + x] = half * Math.fround(a + b) + half * Math.fround(d + e) + bias;
    }
  }
}
