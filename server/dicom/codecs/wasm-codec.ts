import { createRequire } from 'node:module';
import { AppError } from '@/lib/errors';
import { transferSyntaxName } from '../transfer-syntax';
import type { DicomHeader } from '../types';
import { storedFromDecoded, type StoredArray } from './stored-pixels';

/** Image facts every cornerstone codec decoder reports after decoding. */
export interface WasmFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

/** The embind decoder class shape shared by the charls, openjpeg, openjph and libjpeg-turbo builds. */
interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): WasmFrameInfo;
  decode(): void;
  delete(): void;
}

type WasmModule = Record<string, unknown>;

/** The WASM codecs this folder uses: package export → embind decoder class. */
export const WASM_CODECS = {
  jpegBaseline: { specifier: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs', decoder: 'JPEGDecoder' },
  jpegLs: { specifier: '@cornerstonejs/codec-charls/decodewasmjs', decoder: 'JpegLSDecoder' },
  jpeg2000: { specifier: '@cornerstonejs/codec-openjpeg/decodewasmjs', decoder: 'J2KDecoder' },
  htj2k: { specifier: '@cornerstonejs/codec-openjph/wasmjs', decoder: 'HTJ2KDecoder' },
} as const;
export type WasmCodecName = keyof typeof WASM_CODECS;

// The packages are emscripten CommonJS factories that find their .wasm beside themselves through
// __dirname, which works when Node's own require loads them from node_modules.
const require = createRequire(import.meta.url);
const modules = new Map<WasmCodecName, Promise<WasmModule>>();
const silent = (): void => {};

/** Instantiates a codec's WASM module once per process (per worker); later calls share it. */
export function loadWasmCodec(name: WasmCodecName): Promise<WasmModule> {
  let loading = modules.get(name);
  if (loading === undefined) {
    const { specifier } = WASM_CODECS[name];
    loading = (async () => {
      const factory = require(specifier) as (moduleArg: object) => Promise<WasmModule>;
      // OpenJPEG prints [INFO] lines for every image: keep stdout for the application.
      return factory({ print: silent, printErr: silent });
    })().catch((err: unknown) => {
      modules.delete(name); // let a later call retry rather than cache the failure
      throw new AppError('DICOM_DECODE_FAILED', `could not load the ${name} codec (${specifier})`, undefined, { cause: err });
    });
    modules.set(name, loading);
  }
  return loading;
}

/**
 * Runs one decode with a codec's embind decoder and returns the frame info and a copy of the
 * decoded bytes (the decoder's buffer lives in WASM memory and dies with the decoder).
 */
export async function runWasmDecoder(name: WasmCodecName, encoded: Uint8Array, what: string): Promise<{ info: WasmFrameInfo; decoded: Uint8Array }> {
  const wasm = await loadWasmCodec(name);
  const Decoder = wasm[WASM_CODECS[name].decoder] as new () => WasmDecoder;
  const decoder = new Decoder();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = decoder.getFrameInfo();
    return { info, decoded: decoder.getDecodedBuffer().slice() };
  } catch (err) {
    if (err instanceof AppError) throw err;
    // C++ exceptions surface as numbers (pointers) or strings; neither says much.
    const detail = typeof err === 'number' ? `native exception ${err}` : err instanceof Error ? err.message : String(err);
    throw new AppError('DICOM_DECODE_FAILED', `${what}: the codec could not decode the frame (${detail})`, undefined, { cause: err });
  } finally {
    decoder.delete();
  }
}

/** Checks a decoded frame's geometry against the header; throws DICOM_DECODE_FAILED on mismatch. */
export function checkDecodedGeometry(info: WasmFrameInfo, rows: number, columns: number, bitsAllocated: number, what: string): void {
  if (info.width !== columns || info.height !== rows) {
    throw new AppError('DICOM_DECODE_FAILED', `${what}: codestream is ${info.width} x ${info.height}, header says ${columns} x ${rows}`);
  }
  if (info.componentCount !== 1) {
    throw new AppError('DICOM_UNSUPPORTED_PIXEL_FORMAT', `${what}: codestream has ${info.componentCount} components; only grayscale is supported`);
  }
  if (info.bitsPerSample > bitsAllocated) {
    throw new AppError('DICOM_DECODE_FAILED', `${what}: codestream has ${info.bitsPerSample}-bit samples, header allocates ${bitsAllocated}`);
  }
}

/**
 * Decodes one frame with a WASM codec into stored values: runs the decoder, checks the geometry
 * against the header, and converts the samples (mask, sign, widening) into `out` or a new array.
 */
export async function decodeWithWasmCodec(name: WasmCodecName, header: DicomHeader, frame: Uint8Array, out?: StoredArray): Promise<StoredArray> {
  const what = `${header.transferSyntaxUid} (${transferSyntaxName(header.transferSyntaxUid)})`;
  const { info, decoded } = await runWasmDecoder(name, frame, what);
  checkDecodedGeometry(info, header.rows, header.columns, header.bitsAllocated, what);
  const length = header.rows * header.columns;
  return storedFromDecoded(header, decoded, decoded.byteLength / length, length, what, out);
}
