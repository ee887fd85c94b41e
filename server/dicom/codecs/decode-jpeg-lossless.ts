import { Decoder } from 'jpeg-lossless-decoder-js';
import { AppError } from '@/lib/errors';
import { transferSyntaxName } from '../transfer-syntax';
import type { DicomHeader } from '../types';
import { storedFromDecoded, type StoredArray } from './stored-pixels';

/** Decodes one JPEG Lossless frame (.57 any predictor, .70 SV1) with jpeg-lossless-decoder-js. */
export function decodeJpegLossless(header: DicomHeader, frame: Uint8Array, out?: StoredArray): StoredArray {
  const what = `${header.transferSyntaxUid} (${transferSyntaxName(header.transferSyntaxUid)})`;
  let decoded: Uint8Array | Uint16Array;
  try {
    decoded = new Decoder().decode(frame.buffer, frame.byteOffset, frame.byteLength);
  } catch (err) {
    throw new AppError('DICOM_DECODE_FAILED', `${what}: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
  }
  const length = header.rows * header.columns;
  if (decoded.length !== length) {
    throw new AppError('DICOM_DECODE_FAILED', `${what}: decoded ${decoded.length} samples, header says ${header.rows} x ${header.columns}`);
  }
  // The decoder returns unsigned samples (the raw bits); signedness comes from Bits Stored.
  const bytes = new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
  return storedFromDecoded(header, bytes, decoded.BYTES_PER_ELEMENT, length, what, out);
}
