import type { DicomHeader, DicomWarning, HuImage, StoredFrame } from './types';

/** HU given to padding pixels (outside the scanned field of view): air. */
export const PADDING_HU = -1024;

export interface HounsfieldOptions {
  /** Where to report what was done to the values (RSNA correction, MONOCHROME1). */
  warnings?: DicomWarning[];
  /**
   * Invert MONOCHROME1 stored values about the stored range before the rescale. Off by default:
   * PS3.3 C.7.6.3.1.2 makes MONOCHROME1 a display instruction applied after the Modality LUT, so
   * Rescale Slope/Intercept give HU whatever the polarity. Only for senders known to get it wrong.
   */
  invertMonochrome1?: boolean;
}

/**
 * True for the RSNA 2019 ICH defect: unsigned 12-bit CT whose intercept is not the usual -1024
 * but about 0, holding HU modulo 4096. The RSNA seeds' `correct_dcm` fixes it by adding 1000,
 * wrapping at 4096 and using intercept -1000.
 */
export function needsRsnaCorrection(h: Pick<DicomHeader, 'bitsStored' | 'pixelRepresentation' | 'rescaleIntercept'>): boolean {
  return h.bitsStored === 12 && h.pixelRepresentation === 0 && h.rescaleIntercept > -100;
}

/**
 * Converts stored values to Hounsfield units (`stored * slope + intercept`) into `out` (reused when
 * long enough): padding values (and the padding range) become air, the RSNA defect is corrected.
 */
export function toHounsfield(header: DicomHeader, frame: StoredFrame, out?: Float32Array, options: HounsfieldOptions = {}): HuImage {
  const { rows, columns } = frame;
  const n = rows * columns;
  const px = frame.pixels;
  if (px.length !== n) throw new RangeError(`frame has ${px.length} values for ${rows} x ${columns}`);
  if (out !== undefined && out.length < n) throw new RangeError(`out holds ${out.length} values, the image has ${n}`);
  const hu = out === undefined ? new Float32Array(n) : out.length === n ? out : out.subarray(0, n);

  const slope = header.rescaleSlope;
  let intercept = header.rescaleIntercept;
  const rsna = needsRsnaCorrection(header);
  if (rsna) {
    intercept = -1000;
    options.warnings?.push({
      code: 'RSNA_12BIT_CORRECTED',
      message: `unsigned 12-bit with RescaleIntercept ${header.rescaleIntercept}: applied the RSNA correction (+1000 mod 4096, intercept -1000)`,
    });
  }
  const monochrome1 = header.photometricInterpretation === 'MONOCHROME1';
  const invert = monochrome1 && options.invertMonochrome1 === true;
  if (monochrome1) {
    options.warnings?.push(
      invert
        ? { code: 'MONOCHROME1_INVERTED', message: 'MONOCHROME1: stored values inverted before rescale, as asked' }
        : { code: 'MONOCHROME1', message: 'MONOCHROME1: HU taken from the rescale as the standard defines; polarity only affects display' },
    );
  }

  const hasPadding = header.pixelPaddingValue !== undefined;
  const limit = header.pixelPaddingRangeLimit ?? header.pixelPaddingValue ?? 0;
  const lo = hasPadding ? Math.min(header.pixelPaddingValue!, limit) : 1;
  const hi = hasPadding ? Math.max(header.pixelPaddingValue!, limit) : 0;

  if (!rsna && !invert) {
    // The hot path: one multiply-add per pixel, a range test only when there is padding.
    if (!hasPadding) {
      for (let i = 0; i < n; i++) hu[i] = px[i]! * slope + intercept;
    } else {
      for (let i = 0; i < n; i++) {
        const v = px[i]!;
        hu[i] = v >= lo && v <= hi ? PADDING_HU : v * slope + intercept;
      }
    }
    return { rows, columns, hu };
  }

  // Inversion maps the stored range onto itself: unsigned v -> (2^bits - 1) - v, signed v -> -1 - v.
  const flip = header.pixelRepresentation === 1 ? -1 : 2 ** header.bitsStored - 1;
  for (let i = 0; i < n; i++) {
    const raw = px[i]!;
    if (raw >= lo && raw <= hi) {
      hu[i] = PADDING_HU; // padding is defined on the values as stored
      continue;
    }
    let v = invert ? flip - raw : raw;
    if (rsna) {
      v += 1000;
      if (v >= 4096) v -= 4096;
    }
    hu[i] = v * slope + intercept;
  }
  return { rows, columns, hu };
}
