/** What each problem code means to a reader, in words (codes from lib/errors.ts). */
const PLAIN: Record<string, string> = {
  DICOM_NOT_DICOM: 'a file is not DICOM',
  DICOM_TRUNCATED: 'a file is cut short',
  DICOM_MISSING_ATTRIBUTE: 'a file lacks a required attribute',
  DICOM_MISSING_PIXEL_DATA: 'a file has no image',
  DICOM_NOT_CT: 'not a CT image',
  DICOM_UNSUPPORTED_TRANSFER_SYNTAX: 'compressed in a format not supported',
  DICOM_UNSUPPORTED_PIXEL_FORMAT: 'pixel format not supported',
  DICOM_ABSURD_DIMENSIONS: 'image dimensions impossible',
  DICOM_PIXEL_DATA_SHORT: 'image data shorter than its size says',
  SERIES_NO_BRAIN: 'no brain inside a skull on any slice',
  DICOM_DECODE_FAILED: 'image data could not be decoded',
  DICOM_DECODE_TIMEOUT: 'decoding the image took too long and was stopped',
  DICOM_DECODER_CRASHED: 'the image decoder failed on a file',
  DICOM_LOCALIZER: 'a scout (localizer) image, not an axial slice',
  DICOM_NOT_AXIAL: 'not an axial slice',
  SERIES_EMPTY: 'no slices',
  SERIES_INCONSISTENT: 'slices of different sizes or spacing',
  SERIES_MISSING_GEOMETRY: 'slice positions missing',
  SERIES_MIXED_ORIENTATION: 'slices in different orientations',
  SERIES_NOT_AXIAL: 'not axial',
  SERIES_LOCALIZER: 'a scout (localizer) series',
  SERIES_NOT_HEAD: 'not a head scan',
};

/** A recorded reason with its codes spelled out, e.g. "2 slice(s) could not be decoded (a file is cut short)". */
export function plainReason(reason: string): string {
  return reason.replace(/\b[A-Z][A-Z_]{3,}\b/g, (code) => PLAIN[code] ?? code.toLowerCase().replaceAll('_', ' '));
}
