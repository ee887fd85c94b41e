import { AppError } from '@/lib/errors';
import type { DicomHeader } from './types';

/** Largest Rows or Columns accepted; CT is 512 (sometimes 1024); more is a corrupt header. */
export const MAX_DIMENSION = 8192;
/** Largest Number of Frames accepted: an enhanced CT volume has a few thousand at most. */
export const MAX_FRAMES = 20_000;
/** Largest pixel data, in bytes, a single file may claim (2 GiB, also V8's typed array comfort). */
export const MAX_PIXEL_BYTES = 2 ** 31;

/**
 * Checks, before anything is allocated, that the header describes an image we can decode:
 * monochrome, 1 sample, 8/16/32-bit, sane dimensions. Throws DICOM_UNSUPPORTED_PIXEL_FORMAT or
 * DICOM_ABSURD_DIMENSIONS.
 */
export function checkPixelFormat(h: DicomHeader): void {
  const { rows, columns, numberOfFrames: frames } = h;
  if (!isCount(rows, MAX_DIMENSION) || !isCount(columns, MAX_DIMENSION)) {
    throw new AppError('DICOM_ABSURD_DIMENSIONS', `image is ${rows} x ${columns}; each side must be 1..${MAX_DIMENSION}`, { rows, columns });
  }
  if (!isCount(frames, MAX_FRAMES)) {
    throw new AppError('DICOM_ABSURD_DIMENSIONS', `NumberOfFrames is ${frames}; must be 1..${MAX_FRAMES}`, { numberOfFrames: frames });
  }
  if (h.samplesPerPixel !== 1) {
    throw new AppError(
      'DICOM_UNSUPPORTED_PIXEL_FORMAT',
      `${h.samplesPerPixel} samples per pixel (${h.photometricInterpretation}): only single-sample grayscale is supported, as CT is`,
    );
  }
  if (h.photometricInterpretation !== 'MONOCHROME2' && h.photometricInterpretation !== 'MONOCHROME1') {
    throw new AppError(
      'DICOM_UNSUPPORTED_PIXEL_FORMAT',
      `photometric interpretation ${h.photometricInterpretation} is not supported: only MONOCHROME1/MONOCHROME2 grayscale`,
    );
  }
  if (h.bitsAllocated !== 8 && h.bitsAllocated !== 16 && h.bitsAllocated !== 32) {
    throw new AppError('DICOM_UNSUPPORTED_PIXEL_FORMAT', `BitsAllocated ${h.bitsAllocated} is not supported: only 8, 16 or 32`);
  }
  if (h.bitsStored < 1 || h.bitsStored > h.bitsAllocated) {
    throw new AppError('DICOM_UNSUPPORTED_PIXEL_FORMAT', `BitsStored ${h.bitsStored} does not fit BitsAllocated ${h.bitsAllocated}`);
  }
  if (h.highBit !== h.bitsStored - 1) {
    // Legal but unheard of in CT: the stored field would sit above bit 0 and need shifting.
    throw new AppError('DICOM_UNSUPPORTED_PIXEL_FORMAT', `HighBit ${h.highBit} with BitsStored ${h.bitsStored} is not supported (HighBit must be BitsStored - 1)`);
  }
  if (frameBytes(h) * frames > MAX_PIXEL_BYTES) {
    throw new AppError('DICOM_ABSURD_DIMENSIONS', `${rows} x ${columns} x ${frames} frames exceeds ${MAX_PIXEL_BYTES} bytes of pixel data`);
  }
}

/** Bytes of one uncompressed frame. */
export function frameBytes(h: Pick<DicomHeader, 'rows' | 'columns' | 'bitsAllocated'>): number {
  return h.rows * h.columns * (h.bitsAllocated >> 3);
}

function isCount(v: number, max: number): boolean {
  return Number.isInteger(v) && v >= 1 && v <= max;
}
