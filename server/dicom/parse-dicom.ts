import dicomParser, { type DataSet, type Element, type ParseDicomOptions as ParserOptions } from 'dicom-parser';
import { inflateRawSync } from 'node:zlib';
import { AppError } from '@/lib/errors';
import { readHeader } from './read-header';
import { TAG } from './tags';
import type { DicomHeader, DicomWarning } from './types';

/** Where the Pixel Data element's bytes are; offsets are absolute in `ParsedDicom.bytes`. */
export type PixelDataLocation =
  | { encapsulated: false; offset: number; length: number }
  | {
      encapsulated: true;
      /** Each fragment's data (item value) and its offset from the first item, as the BOT counts. */
      fragments: { position: number; length: number; offset: number }[];
      basicOffsetTable: number[];
    };

export interface ParsedDicom {
  header: DicomHeader;
  warnings: DicomWarning[];
  /** The bytes `pixelData` points into: the input, or the inflated copy for deflated files. */
  bytes: Uint8Array;
  /** Undefined when the file has no Pixel Data or `headerOnly` stopped before it. */
  pixelData: PixelDataLocation | undefined;
  /** dicom-parser's dataset, for attributes the header does not carry. */
  dataSet: DataSet;
}

export interface ParseDicomOptions {
  /** Stop at Pixel Data: enough to route a file without touching its pixels. */
  headerOnly?: boolean;
  /** Transfer syntax of a bare dataset without file meta information (guessed when absent). */
  transferSyntaxUid?: string;
}

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const DEFLATED = '1.2.840.10008.1.2.1.99';
const VRS = new Set('AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '));

/**
 * Parses a DICOM file (Part 10, or a bare dataset) without copying its pixels. Throws AppError:
 * DICOM_NOT_DICOM, DICOM_TRUNCATED, DICOM_MISSING_ATTRIBUTE, DICOM_DECODE_FAILED (corrupt deflate).
 */
export function parseDicom(bytes: Uint8Array, opts: ParseDicomOptions = {}): ParsedDicom {
  const warnings: DicomWarning[] = [];
  const { input, transferSyntaxUid: bareSyntax } = framePart10(bytes, opts, warnings);
  let dataSet: DataSet;
  try {
    const parserOptions: ParserOptions = {
      untilTag: opts.headerOnly ? TAG.PixelData : undefined,
      TransferSyntaxUID: bareSyntax,
      // Our own inflater: dicom-parser's Node path calls Buffer#copy, which a Uint8Array lacks.
      inflater: (arr: Uint8Array, position: number) => inflate(arr, position),
    };
    dataSet = dicomParser.parseDicom(input, parserOptions);
  } catch (err) {
    throw parserError(err);
  }
  for (const w of dataSet.warnings) warnings.push({ code: 'PARSER', message: w });
  checkElementsInside(dataSet);

  const transferSyntaxUid = bareSyntax ?? (dataSet.string(TAG.TransferSyntaxUID) || '');
  const element = dataSet.elements[TAG.PixelData];
  if (element === undefined && !opts.headerOnly && hasUndecodablePixels(dataSet)) {
    throw new AppError('DICOM_UNSUPPORTED_PIXEL_FORMAT', 'float pixel data (7FE0,0008/0009) is not supported; CT uses integer Pixel Data');
  }
  const isImage = element !== undefined;
  if (!isImage && !opts.headerOnly && !hasImageAttributes(dataSet)) {
    // Not an image at all (a report, a presentation state): say so rather than "missing Rows".
    readHeader(dataSet, transferSyntaxUid, false, warnings); // still reports missing UIDs first
    throw new AppError('DICOM_MISSING_PIXEL_DATA', 'no Pixel Data (7FE0,0010) and no image attributes: not an image');
  }
  const header = readHeader(dataSet, transferSyntaxUid, isImage || !opts.headerOnly, warnings);
  const pixelData = element === undefined || opts.headerOnly ? undefined : locatePixelData(dataSet, element);
  return { header, warnings, bytes: dataSet.byteArray, pixelData, dataSet };
}

/** Decides how dicom-parser should read `bytes`: as Part 10, or as a bare dataset with a syntax. */
function framePart10(bytes: Uint8Array, opts: ParseDicomOptions, warnings: DicomWarning[]): { input: Uint8Array; transferSyntaxUid?: string } {
  if (bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d) {
    return { input: bytes };
  }
  if (bytes.length < 8) throw new AppError('DICOM_NOT_DICOM', `not DICOM: ${bytes.length} bytes is too short`);
  const group = bytes[0]! | (bytes[1]! << 8);
  const explicit = VRS.has(String.fromCharCode(bytes[4]!, bytes[5]!));
  if (group === 0x0002 && explicit) {
    // File meta without the 128-byte preamble: restore it so dicom-parser reads the meta header.
    warnings.push({ code: 'NO_PREAMBLE', message: 'file meta information without the 128-byte preamble and DICM prefix' });
    const framed = new Uint8Array(132 + bytes.length);
    framed.set([0x44, 0x49, 0x43, 0x4d], 128);
    framed.set(bytes, 132);
    return { input: framed };
  }
  // A bare dataset starts with a low even group (0008 in practice); anything else is not DICOM.
  if (group < 0x0008 || group > 0x0028 || group % 2 !== 0) {
    throw new AppError('DICOM_NOT_DICOM', 'not DICOM: no DICM prefix at byte 128 and no dataset at byte 0');
  }
  warnings.push({ code: 'NO_FILE_META', message: 'bare dataset without file meta information' });
  return { input: bytes, transferSyntaxUid: opts.transferSyntaxUid ?? (explicit ? EXPLICIT_LE : IMPLICIT_LE) };
}

function inflate(arr: Uint8Array, position: number): Uint8Array {
  let inflated: Uint8Array;
  try {
    inflated = inflateRawSync(arr.subarray(position));
  } catch (err) {
    const truncated = err instanceof Error && /unexpected end/i.test(err.message);
    throw new AppError(
      truncated ? 'DICOM_TRUNCATED' : 'DICOM_DECODE_FAILED',
      `${DEFLATED} (Deflated Explicit VR Little Endian): ${truncated ? 'deflate stream is cut short' : 'deflate stream is corrupt'}`,
      undefined,
      { cause: err },
    );
  }
  const full = new Uint8Array(position + inflated.length);
  full.set(arr.subarray(0, position));
  full.set(inflated, position);
  return full;
}

/** Maps dicom-parser's string throws (and its `{exception, dataSet}` wrapper) to AppError. */
function parserError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const inner = typeof err === 'object' && err !== null && 'exception' in err ? (err as { exception: unknown }).exception : err;
  if (inner instanceof AppError) return inner;
  const message = inner instanceof Error ? inner.message : String(inner);
  if (/past end of buffer|buffer overrun|buffer overread|greater than or equal to 'byteArray' length/i.test(message)) {
    return new AppError('DICOM_TRUNCATED', 'DICOM file ends in the middle of an element', undefined, { cause: err });
  }
  if (/0002,0010/.test(message)) {
    return new AppError('DICOM_MISSING_ATTRIBUTE', 'missing TransferSyntaxUID (0002,0010) in the file meta information', { attribute: 'TransferSyntaxUID' });
  }
  return new AppError('DICOM_NOT_DICOM', `not a readable DICOM dataset: ${message.replace(/^dicomParser[.:]\s*/, '')}`, undefined, { cause: err });
}

/**
 * dicom-parser does not bounds-check implicit VR elements: a file cut inside one parses, and the
 * first read of its value throws a string later. Check every top-level value up front instead
 * (Pixel Data is left to locatePixelData, which says how much is missing).
 */
function checkElementsInside(ds: DataSet): void {
  const size = ds.byteArray.length;
  for (const [tag, el] of Object.entries(ds.elements)) {
    if (tag !== TAG.PixelData && el.dataOffset + el.length > size) {
      throw new AppError('DICOM_TRUNCATED', `DICOM file ends inside element (${tag.slice(1, 5)},${tag.slice(5)}): needs ${el.length} bytes, has ${Math.max(0, size - el.dataOffset)}`);
    }
  }
}

function hasUndecodablePixels(ds: DataSet): boolean {
  return ds.elements[TAG.FloatPixelData] !== undefined || ds.elements[TAG.DoubleFloatPixelData] !== undefined;
}

function hasImageAttributes(ds: DataSet): boolean {
  return ds.elements[TAG.Rows] !== undefined || ds.elements[TAG.Columns] !== undefined;
}

/** Validates that Pixel Data lies inside the bytes and records where each fragment is. */
function locatePixelData(ds: DataSet, el: Element): PixelDataLocation {
  const size = ds.byteArray.length;
  if (!el.encapsulatedPixelData) {
    if (el.hadUndefinedLength) throw new AppError('DICOM_DECODE_FAILED', 'native Pixel Data with undefined length');
    if (el.dataOffset + el.length > size) throw new AppError('DICOM_TRUNCATED', `Pixel Data needs ${el.length} bytes, file has ${size - el.dataOffset}`);
    return { encapsulated: false, offset: el.dataOffset, length: el.length };
  }
  const fragments = (el.fragments ?? []).map((f) => ({ position: f.position, length: f.length, offset: f.offset }));
  if (fragments.length === 0) throw new AppError('DICOM_TRUNCATED', 'encapsulated Pixel Data has no fragments');
  for (const f of fragments) {
    if (f.position + f.length > size) throw new AppError('DICOM_TRUNCATED', `a Pixel Data fragment needs ${f.length} bytes, file has ${Math.max(0, size - f.position)}`);
  }
  return { encapsulated: true, fragments, basicOffsetTable: el.basicOffsetTable ?? [] };
}
