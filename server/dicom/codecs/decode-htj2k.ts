import type { DicomHeader } from '../types';
import type { StoredArray } from './stored-pixels';
import { decodeWithWasmCodec } from './wasm-codec';

/** Decodes one High-Throughput JPEG 2000 frame (.201/.202/.203) with OpenJPH (WASM). */
export function decodeHtj2k(header: DicomHeader, frame: Uint8Array, out?: StoredArray): Promise<StoredArray> {
  return decodeWithWasmCodec('htj2k', header, frame, out);
}
