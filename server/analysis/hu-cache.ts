import { ByteLru } from '@/server/cache/byte-lru';
import type { HuImage } from '@/server/dicom';

/**
 * Recently decoded slices, so a study's final pass (and neighbours of 2.5D models) does not decode
 * every file twice. Bounded by the bytes of HU held; least recently used slices go first.
 */
export class HuCache extends ByteLru<HuImage> {
  constructor(maxBytes: number) {
    super(maxBytes, (image) => image.hu.byteLength);
  }
}
