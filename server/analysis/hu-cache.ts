import type { HuImage } from '@/server/dicom';

/**
 * Recently decoded slices, so a study's final pass (and neighbours of 2.5D models) does not decode
 * every file twice. Bounded by bytes; least recently used slices go first.
 */
export class HuCache {
  private readonly entries = new Map<string, HuImage>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(id: string): HuImage | undefined {
    const hit = this.entries.get(id);
    if (hit) {
      this.entries.delete(id);
      this.entries.set(id, hit);
    }
    return hit;
  }

  set(id: string, image: HuImage): void {
    this.delete(id);
    this.entries.set(id, image);
    this.bytes += image.hu.byteLength;
    for (const [key, value] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(key);
      this.bytes -= value.hu.byteLength;
    }
  }

  delete(id: string): void {
    const old = this.entries.get(id);
    if (old) {
      this.entries.delete(id);
      this.bytes -= old.hu.byteLength;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
