import { checkIsCt } from './check-is-ct';
import { decodePixels } from './decode-pixels';
import { toHounsfield } from './hounsfield';
import { parseDicom } from './parse-dicom';
import type { DicomHeader, DicomWarning, HuImage } from './types';

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
export async function decodeCtSlice(bytes: Uint8Array): Promise<CtSlice> {
  const parsed = parseDicom(bytes);
  checkIsCt(parsed.header);
  const frame = await decodePixels(parsed, 0);
  const hu = toHounsfield(parsed.header, frame, undefined, { warnings: parsed.warnings });
  return { header: parsed.header, hu, warnings: parsed.warnings };
}
