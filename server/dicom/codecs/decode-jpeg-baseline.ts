import { AppError } from '@/lib/errors';
import { transferSyntaxName } from '../transfer-syntax';
import type { DicomHeader } from '../types';
import type { StoredArray } from './stored-pixels';
import { decodeWithWasmCodec } from './wasm-codec';

/**
 * Decodes one 8-bit JPEG Baseline / Extended frame (.50, .51) with libjpeg-turbo (WASM).
 * 12-bit Extended (.51) is refused: the only libjpeg-turbo build on npm is 8-bit and no maintained
 * Node decoder for 12-bit DCT JPEG exists, so it fails with DICOM_UNSUPPORTED_TRANSFER_SYNTAX.
 */
export function decodeJpegBaseline(header: DicomHeader, frame: Uint8Array, out?: StoredArray): Promise<StoredArray> {
  const precision = jpegPrecision(frame) ?? header.bitsStored;
  if (precision > 8 || header.bitsStored > 8) {
    const uid = header.transferSyntaxUid;
    throw new AppError(
      'DICOM_UNSUPPORTED_TRANSFER_SYNTAX',
      `transfer syntax ${uid} (${transferSyntaxName(uid)}) with ${Math.max(precision, header.bitsStored)}-bit samples is not supported: only 8-bit lossy JPEG can be decoded (no 12-bit JPEG decoder for Node.js)`,
      { transferSyntaxUid: uid, bitsStored: header.bitsStored },
    );
  }
  return decodeWithWasmCodec('jpegBaseline', header, frame, out);
}

/** Sample precision from the first SOF marker of a JPEG stream; undefined if none is found. */
export function jpegPrecision(jpeg: Uint8Array): number | undefined {
  let i = 2; // after SOI
  while (i + 4 < jpeg.length) {
    if (jpeg[i] !== 0xff) return undefined;
    const marker = jpeg[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return jpeg[i + 4];
    i += 2 + ((jpeg[i + 2]! << 8) | jpeg[i + 3]!);
  }
  return undefined;
}
