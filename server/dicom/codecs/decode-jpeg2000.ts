import type { DicomHeader } from '../types';
import type { StoredArray } from './stored-pixels';
import { decodeWithWasmCodec } from './wasm-codec';

/** Decodes one JPEG 2000 frame (.90 lossless, .91 lossy) with OpenJPEG (WASM). */
export function decodeJpeg2000(header: DicomHeader, frame: Uint8Array, out?: StoredArray): Promise<StoredArray> {
  // OpenJPEG honours the codestream's own signedness; some encoders write signed CT as unsigned,
  // which the Bits Stored sign extension in decodeWithWasmCodec puts right.
  return decodeWithWasmCodec('jpeg2000', header, frame, out);
}
