import type { PreprocessSpec } from '@/lib/model-manifest';
import type { HuImage } from '@/server/dicom';
import { runDecodeTask, type DecodedSlice, type ModelSlice, type RenderedSlice } from './decode-task';
import type { SliceDecoder } from './slice-decoder';

/**
 * Decoding on the caller's event loop (DECODE_WORKERS=0): the baseline the benchmarks compare the
 * pool with, and what tests and CLIs use. No watchdog: code running on the loop cannot be stopped.
 */
export class InlineSliceDecoder implements SliceDecoder {
  decodeSlice(bytes: Uint8Array, options: { measureBrain?: boolean } = {}): Promise<DecodedSlice> {
    return runDecodeTask({ kind: 'slice', bytes, measureBrain: options.measureBrain ?? false });
  }

  decodeForModel(bytes: Uint8Array, spec: PreprocessSpec, options: { measureBrain?: boolean } = {}): Promise<ModelSlice> {
    return runDecodeTask({ kind: 'model', bytes, spec, measureBrain: options.measureBrain ?? false });
  }

  buildContextTensor(spec: PreprocessSpec, images: ReadonlyMap<number, HuImage>): Promise<Float32Array> {
    return runDecodeTask({ kind: 'tensor', spec, images: [...images] });
  }

  renderSlice(bytes: Uint8Array): Promise<RenderedSlice> {
    return runDecodeTask({ kind: 'render', bytes });
  }

  async close(): Promise<void> {}
}
