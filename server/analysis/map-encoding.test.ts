import { describe, expect, it } from 'vitest';
import { LABELS } from '@/lib/labels';
import { decodeMaps, encodeMaps } from './map-encoding';

const N = LABELS.length * 48 * 48;

function legacy(height: number, width: number, maps: Float32Array): string {
  return `${height}x${width}:${Buffer.from(maps.buffer, maps.byteOffset, maps.byteLength).toString('base64')}`;
}

describe('localization map encoding', () => {
  it('keeps every value within half a step of 1/255 and is a quarter of the float32 form', () => {
    const maps = new Float32Array(N).map((_, i) => (Math.sin(i * 0.37) + 1) / 2);
    const ref = encodeMaps({ height: 48, width: 48, maps });
    const back = decodeMaps(ref)!;
    expect(back.height).toBe(48);
    expect(back.width).toBe(48);
    let worst = 0;
    for (let i = 0; i < N; i++) worst = Math.max(worst, Math.abs(back.maps[i]! - maps[i]!));
    expect(worst).toBeLessThanOrEqual(0.5 / 255 + 1e-7);
    expect(ref.length).toBeLessThan(legacy(48, 48, maps).length / 3.9);
  });

  it('clamps values outside [0, 1] and NaN', () => {
    const maps = new Float32Array(N);
    maps[0] = -0.2;
    maps[1] = 1.7;
    maps[2] = Number.NaN;
    maps[3] = 1;
    const back = decodeMaps(encodeMaps({ height: 48, width: 48, maps }))!.maps;
    expect([back[0], back[1], back[2], back[3]]).toEqual([0, 1, 0, 1]);
  });

  it('still reads maps stored as float32 before the 8-bit form', () => {
    const maps = new Float32Array(LABELS.length * 8 * 8).map((_, i) => i / 1000);
    expect(decodeMaps(legacy(8, 8, maps))!.maps).toEqual(maps);
  });

  it('refuses a reference whose size does not match its shape', () => {
    const ref = encodeMaps({ height: 48, width: 48, maps: new Float32Array(N) });
    expect(decodeMaps(ref.replace('u8:48x48', 'u8:48x47'))).toBeUndefined();
    expect(decodeMaps('not a map')).toBeUndefined();
    expect(decodeMaps(legacy(8, 8, new Float32Array(10)))).toBeUndefined();
  });
});
