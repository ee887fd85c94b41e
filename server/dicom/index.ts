// The public surface of the DICOM stage: parse → decode stored values → Hounsfield units.
export type * from './types';
export { parseDicom, type ParsedDicom, type ParseDicomOptions, type PixelDataLocation } from './parse-dicom';
export { decodePixels, preloadCodecs } from './decode-pixels';
export { decodeUncompressed } from './codecs/decode-uncompressed';
export type { StoredArray } from './codecs/stored-pixels';
export { toHounsfield, needsRsnaCorrection, PADDING_HU, type HounsfieldOptions } from './hounsfield';
export { checkIsCt, isCtSopClass } from './check-is-ct';
export { checkPixelFormat, MAX_DIMENSION, MAX_FRAMES } from './check-pixel-format';
export {
  TRANSFER_SYNTAXES,
  findTransferSyntax,
  requireDecodableTransferSyntax,
  transferSyntaxName,
  type CodecFamily,
  type TransferSyntax,
} from './transfer-syntax';
export { decodeCtSlice, type CtSlice } from './decode-ct-slice';
export { orderSeries, type OrderedSeries, type OrderedSlice, type SliceGeometryInput, type SliceGap, type SliceDuplicate, type SpacingStats } from './order-series';
export { checkSeriesUsable, isLocalizer, AXIAL_MAX_TILT_DEG, type UsableSeries, type ExcludedSlice, type UsableSliceInput } from './check-series-usable';
export { checkSliceUsable } from './check-slice-usable';
export { buildTensor, tensorLength, writeTensorToBatch } from './tensor';
export { buildTensorFromStored } from './stored-tensor';
