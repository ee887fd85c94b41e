import { checkIsCt } from './check-is-ct';
import { decodePixels } from './decode-pixels';
import { toHounsfield } from './hounsfield';
import { parseDicom } from './parse-dicom';
import type { DicomHeader, DicomWarning, HuImage } from './types';

export interface DecodeCtSliceOptions {
  /** Where the HU go (rows x columns values), e.g. shared memory a decode worker hands back; default a new array. */
  huBuffer?: (length: number) => Float32Array;
}

export interface CtSlice {
  header: DicomHeader;
  hu: HuImage;
  warnings: DicomWarning[];
}

/**
 * One CT file's bytes to its header and Hounsfield units: parse, refuse what is not CT, decode the
 * first frame, rescale. Every failure is an AppError naming what is wrong (DICOM_*). This is the
 * single path the server, the evaluation command and the benchmarks share.
 */
export async function decodeCtSlice(bytes: Uint8Array, options: DecodeCtSliceOptions = {}): Promise<CtSlice> {
  const parsed = parseDicom(bytes);
  checkIsCt(parsed.header);
  const frame = await decodePixels(parsed, 0);
  const out = options.huBuffer?.(frame.rows * frame.columns);
  const hu = toHounsfield(parsed.header, frame, out, { warnings: parsed.warnings });
  return { header: parsed.header, hu, warnings: parsed.warnings };
}
