import type { DicomHeader } from '../types';
import type { StoredArray } from './stored-pixels';
import { decodeWithWasmCodec } from './wasm-codec';

/** Decodes one JPEG-LS frame (.80 lossless, .81 near-lossless) with CharLS (WASM). */
export function decodeJpegLs(header: DicomHeader, frame: Uint8Array, out?: StoredArray): Promise<StoredArray> {
  // CharLS returns the raw bit pattern of each sample; signed data is sign-extended afterwards
  // from Bits Stored, since JPEG-LS itself has no notion of signed samples.
  return decodeWithWasmCodec('jpegLs', header, frame, out);
}
