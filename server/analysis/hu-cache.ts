import type { PreprocessSpec } from '@/lib/model-manifest';
import { ByteLru } from '@/server/cache/byte-lru';

/** One decoded slice as analysis keeps it: its planes at model resolution for `spec` (model-planes.ts). */
export interface CachedPlanes {
  /** The spec the planes were built for: another model's (a swapped manifest) is a miss. */
  spec: PreprocessSpec;
  planes: Float32Array;
}

/**
 * Recently decoded slices, so a study's final pass (and neighbours of 2.5D models) does not decode
 * every file twice. It holds each slice's planes at model resolution, not its HU image: 442 KB per
 * slice for the shipped model (three 192x192 windows), against 1 MB of HU at 512x512. Bounded by the
 * bytes held (HU_CACHE_MB); least recently used slices go first. (The name is the historical one.)
 */
export class HuCache extends ByteLru<CachedPlanes> {
  constructor(maxBytes: number) {
    super(maxBytes, (entry) => entry.planes.byteLength);
  }
}
