/**
 * A tiny Explicit VR Little Endian writer for tests: each test states exactly the attributes it
 * needs (odd formats, missing attributes, broken dimensions) instead of patching binary fixtures.
 * Test-only; the product never writes DICOM here.
 */

export interface Encapsulated {
  fragments: Uint8Array[];
  basicOffsetTable?: number[];
}
export type Value = string | number[] | Uint8Array | Encapsulated;
/** [tag as 0xGGGGEEEE, VR, value]; strings may hold backslash-separated values. */
export type Element = [number, string, Value];

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT']);

function le(bytes: number, value: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes; i++) out.push((value >>> (8 * i)) & 0xff);
  return out;
}

function valueBytes(vr: string, value: Exclude<Value, Encapsulated>): number[] {
  if (typeof value === 'string') {
    const chars = Array.from(value, (ch) => ch.charCodeAt(0));
    if (chars.length % 2 === 1) chars.push(vr === 'UI' ? 0 : 0x20);
    return chars;
  }
  if (value instanceof Uint8Array) {
    const b = Array.from(value);
    if (b.length % 2 === 1) b.push(0);
    return b;
  }
  const size = vr === 'UL' || vr === 'SL' ? 4 : 2;
  return value.flatMap((v) => le(size, v));
}

function element([tag, vr, value]: Element): number[] {
  const head = [...le(2, tag >>> 16), ...le(2, tag & 0xffff), vr.charCodeAt(0), vr.charCodeAt(1)];
  if (typeof value === 'object' && 'fragments' in value) {
    const item = (data: number[]) => [...le(2, 0xfffe), ...le(2, 0xe000), ...le(4, data.length), ...data];
    const bot = (value.basicOffsetTable ?? []).flatMap((o) => le(4, o));
    const body = [...item(bot), ...value.fragments.flatMap((f) => item(valueBytes('OB', f)))];
    return [...head, 0, 0, ...le(4, 0xffffffff), ...body, ...le(2, 0xfffe), ...le(2, 0xe0dd), ...le(4, 0)];
  }
  const data = valueBytes(vr, value);
  return LONG_VRS.has(vr) ? [...head, 0, 0, ...le(4, data.length), ...data] : [...head, ...le(2, data.length), ...data];
}

/** A Part 10 file (preamble, DICM, meta group) around `dataset`, elements sorted by tag. */
export function buildDicom(dataset: Element[], transferSyntaxUid = '1.2.840.10008.1.2.1'): Uint8Array {
  const sop = dataset.find(([t]) => t === 0x00080018)?.[2];
  const metaBody = [
    ...element([0x00020001, 'OB', new Uint8Array([0, 1])]),
    ...element([0x00020002, 'UI', '1.2.840.10008.5.1.4.1.1.2']),
    ...element([0x00020003, 'UI', typeof sop === 'string' ? sop : '2.25.1']),
    ...element([0x00020010, 'UI', transferSyntaxUid]),
  ];
  const meta = [...element([0x00020000, 'UL', [metaBody.length]]), ...metaBody];
  const body = [...dataset].sort((a, b) => a[0] - b[0]).flatMap(element);
  return new Uint8Array([...new Array<number>(128).fill(0), 0x44, 0x49, 0x43, 0x4d, ...meta, ...body]);
}

export interface CtOptions {
  rows?: number;
  columns?: number;
  frames?: number;
  bitsAllocated?: number;
  bitsStored?: number;
  pixelRepresentation?: number;
  samplesPerPixel?: number;
  photometric?: string;
  modality?: string;
  slope?: string;
  intercept?: string;
  paddingValue?: number;
  paddingLimit?: number;
  /** Raw little-endian samples, or fragments; omitted → no Pixel Data element. */
  pixels?: Uint8Array | Encapsulated;
  /** Tags to leave out, e.g. 0x0020000e to drop SeriesInstanceUID. */
  omit?: number[];
}

/** The elements of a minimal valid CT image, adjusted by `o`. */
export function ctElements(o: CtOptions = {}): Element[] {
  const signed = (o.pixelRepresentation ?? 1) === 1;
  const bitsAllocated = o.bitsAllocated ?? 16;
  const els: Element[] = [
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'],
    [0x00080018, 'UI', '2.25.9001'],
    [0x00080060, 'CS', o.modality ?? 'CT'],
    [0x0020000d, 'UI', '2.25.9002'],
    [0x0020000e, 'UI', '2.25.9003'],
    [0x00280002, 'US', [o.samplesPerPixel ?? 1]],
    [0x00280004, 'CS', o.photometric ?? 'MONOCHROME2'],
    [0x00280010, 'US', [o.rows ?? 2]],
    [0x00280011, 'US', [o.columns ?? 2]],
    [0x00280100, 'US', [bitsAllocated]],
    [0x00280101, 'US', [o.bitsStored ?? bitsAllocated]],
    [0x00280102, 'US', [(o.bitsStored ?? bitsAllocated) - 1]],
    [0x00280103, 'US', [o.pixelRepresentation ?? 1]],
    [0x00281052, 'DS', o.intercept ?? '-1024'],
    [0x00281053, 'DS', o.slope ?? '1'],
  ];
  if (o.frames !== undefined) els.push([0x00280008, 'IS', String(o.frames)]);
  if (o.paddingValue !== undefined) els.push([0x00280120, signed ? 'SS' : 'US', [o.paddingValue]]);
  if (o.paddingLimit !== undefined) els.push([0x00280121, signed ? 'SS' : 'US', [o.paddingLimit]]);
  if (o.pixels !== undefined) {
    const vr = bitsAllocated > 8 && o.pixels instanceof Uint8Array ? 'OW' : 'OB';
    els.push([0x7fe00010, vr, o.pixels]);
  }
  return els.filter(([tag]) => !(o.omit ?? []).includes(tag));
}

/** Little-endian bytes of 16-bit samples (negative numbers as two's complement). */
export function int16Bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Int16Array(values).buffer);
}
