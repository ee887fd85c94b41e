import type { PreprocessSpec } from '@/lib/model-manifest';
import type { HuImage } from '@/server/dicom';
import type { DecodedSlice, ModelSlice, RenderedSlice } from './decode-task';

/** Interactive work (a reader scrolling the viewer) is served before batch work (analysis). */
export type DecodeLane = 'interactive' | 'batch';

/**
 * Where DICOM decoding and tensor building run: DecodePool (worker threads) or InlineSliceDecoder
 * (the event loop; DECODE_WORKERS=0). Both give bit-identical results; failures are AppError
 * DICOM_* codes, as decodeCtSlice throws them.
 */
export interface SliceDecoder {
  /** One stored file to header + HU; `measureBrain` adds the intracranial soft-tissue area. The bytes may be moved away: do not reuse them. */
  decodeSlice(bytes: Uint8Array, options?: { measureBrain?: boolean; lane?: DecodeLane }): Promise<DecodedSlice>;
  /**
   * One stored file to header + the slice's planes for `spec` (server/analysis/model-planes.ts),
   * straight from the stored values; `measureBrain` as for decodeSlice. Fails as decodeSlice does
   * (the same DICOM_* codes, the pool's watchdog). The bytes may be moved away: do not reuse them.
   */
  decodeForModel(bytes: Uint8Array, spec: PreprocessSpec, options?: { measureBrain?: boolean; lane?: DecodeLane }): Promise<ModelSlice>;
  /** The model input of one slice from itself (offset 0) and its neighbours (buildContextTensor). */
  buildContextTensor(spec: PreprocessSpec, images: ReadonlyMap<number, HuImage>): Promise<Float32Array>;
  /** One stored file as the study view's Int16 HU. The bytes may be moved away: do not reuse them. */
  renderSlice(bytes: Uint8Array): Promise<RenderedSlice>;
  close(): Promise<void>;
}
