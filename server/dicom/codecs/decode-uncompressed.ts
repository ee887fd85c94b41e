import { AppError } from '@/lib/errors';
import { checkPixelFormat, frameBytes } from '../check-pixel-format';
import type { ParsedDicom } from '../parse-dicom';
import { requireDecodableTransferSyntax } from '../transfer-syntax';
import type { DicomHeader, StoredFrame } from '../types';
import { encapsulatedFrame } from './encapsulated-frame';
import { allocateStored, copyStored, needsNormalize, normalizeStored, viewStored, type StoredArray } from './stored-pixels';

/**
 * Stored values of one frame of native (uncompressed) pixel data, synchronously: the hot path.
 * Without `out`, the result is a zero-copy view into `parsed.bytes` whenever alignment, byte order
 * and Bits Stored allow, so it is only valid while those bytes are; with `out`, it is copied there.
 */
export function decodeUncompressed(parsed: ParsedDicom, frameIndex = 0, out?: StoredArray): StoredFrame {
  const { header, pixelData, bytes } = parsed;
  const syntax = requireDecodableTransferSyntax(header.transferSyntaxUid);
  if (syntax.family !== 'uncompressed') {
    throw new AppError('DICOM_UNSUPPORTED_TRANSFER_SYNTAX', `${syntax.name} is compressed: use decodePixels`, { transferSyntaxUid: syntax.uid });
  }
  const length = checkFrame(parsed, frameIndex);
  const size = frameBytes(header);
  let frame: Uint8Array;
  if (pixelData!.encapsulated) {
    // Encapsulated Uncompressed (1.2.840.10008.1.2.1.98): each frame is raw samples in fragments.
    frame = encapsulatedFrame(bytes, pixelData!, frameIndex, header.numberOfFrames);
  } else {
    const need = size * header.numberOfFrames;
    if (pixelData!.length < need) {
      // The file was cut short, or its Rows/Columns/BitsAllocated claim more than it holds.
      throw new AppError(
        'DICOM_PIXEL_DATA_SHORT',
        `Pixel Data holds ${pixelData!.length} bytes but ${header.numberOfFrames} frame(s) of ${header.rows} x ${header.columns} x ${header.bitsAllocated} bits need ${need}`,
      );
    }
    if (pixelData!.length > need + 1 && frameIndex === 0) {
      parsed.warnings.push({ code: 'PIXEL_DATA_TRAILING', message: `Pixel Data has ${pixelData!.length - need} bytes more than the frames need` });
    }
    const start = pixelData!.offset + frameIndex * size;
    frame = bytes.subarray(start, start + size);
  }
  if (frame.length < size) {
    throw new AppError('DICOM_PIXEL_DATA_SHORT', `frame ${frameIndex} holds ${frame.length} bytes, ${header.rows} x ${header.columns} needs ${size}`);
  }

  let pixels: StoredArray;
  let owned = out !== undefined;
  if (syntax.bigEndian && header.bitsAllocated > 8) {
    pixels = swapFromBigEndian(header, frame, length, out);
    owned = true;
  } else {
    pixels = owned ? copyStored(header, frame, length, out) : viewStored(header, frame, length);
  }
  if (needsNormalize(pixels, header)) {
    // Never write into the caller's file bytes: copy before masking a view.
    if (!owned) pixels = pixels.slice();
    normalizeStored(pixels, header);
  }
  return { rows: header.rows, columns: header.columns, pixels };
}

/** Validates format, dimensions and frame index; returns the number of samples in one frame. */
export function checkFrame(parsed: ParsedDicom, frameIndex: number): number {
  if (parsed.pixelData === undefined) {
    throw new AppError('DICOM_MISSING_PIXEL_DATA', 'no Pixel Data (7FE0,0010) in this file');
  }
  const h = parsed.header;
  checkPixelFormat(h);
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= h.numberOfFrames) {
    throw new RangeError(`frame ${frameIndex} does not exist: the file has ${h.numberOfFrames} frame(s)`);
  }
  return h.rows * h.columns;
}

function swapFromBigEndian(header: DicomHeader, frame: Uint8Array, length: number, out?: StoredArray): StoredArray {
  const dst = allocateStored(header, length, out);
  const d = new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength);
  if (header.bitsAllocated === 16) {
    for (let i = 0; i < d.length; i += 2) {
      d[i] = frame[i + 1]!;
      d[i + 1] = frame[i]!;
    }
  } else {
    for (let i = 0; i < d.length; i += 4) {
      d[i] = frame[i + 3]!;
      d[i + 1] = frame[i + 2]!;
      d[i + 2] = frame[i + 1]!;
      d[i + 3] = frame[i]!;
    }
  }
  return dst;
}
