// The public surface of the decode stage: DICOM decoding and tensor building off the event loop.
export type { SliceDecoder, DecodeLane } from './slice-decoder';
export type { DecodedSlice, ModelSlice, RenderedSlice } from './decode-task';
export { DecodePool, type DecodePoolOptions } from './decode-pool';
export { InlineSliceDecoder } from './inline-slice-decoder';
export { createSliceDecoder } from './create-slice-decoder';
