import { LABELS } from '@/lib/labels';

/** A slice's localization maps: one [height x width] map per label, label-major, values in [0, 1]. */
export interface LocalizationMaps {
  height: number;
  width: number;
  maps: Float32Array;
}

/**
 * How the maps are kept in SlicePrediction.localizationRef. The maps are sigmoid outputs in [0, 1]
 * drawn as a heat overlay, so 8 bits per value are plenty: `u8:HxW:<base64>` is a quarter of the
 * float32 form (the 192 px model's 6 x 48 x 48 maps: 18 KB per slice instead of 74 KB). Rows written
 * before this format (`HxW:<base64 float32>`) still decode.
 */
export function encodeMaps(cam: LocalizationMaps): string {
  const q = new Uint8Array(cam.maps.length);
  for (let i = 0; i < q.length; i++) {
    const v = cam.maps[i]!;
    q[i] = v >= 1 ? 255 : v > 0 ? Math.round(v * 255) : 0; // NaN and negatives -> 0
  }
  return `u8:${cam.height}x${cam.width}:${Buffer.from(q).toString('base64')}`;
}

export function decodeMaps(ref: string): LocalizationMaps | undefined {
  const m = /^(u8:)?(\d+)x(\d+):(.*)$/s.exec(ref);
  if (!m) return undefined;
  const height = Number(m[2]);
  const width = Number(m[3]);
  const buf = Buffer.from(m[4]!, 'base64');
  const expected = LABELS.length * height * width;
  let maps: Float32Array;
  if (m[1]) {
    if (buf.length !== expected) return undefined;
    maps = new Float32Array(expected);
    for (let i = 0; i < expected; i++) maps[i] = buf[i]! / 255;
  } else {
    if (buf.byteLength !== expected * 4) return undefined;
    maps = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  }
  return { height, width, maps };
}
