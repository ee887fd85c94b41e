import { describe, expect, it } from 'vitest';
import { composeRgbSheet, composeSheet, grayToRgb, overlayHeat, shrink, windowToGray } from './contact-sheet';

describe('contact sheet helpers', () => {
  it('windows HU to gray: brain 40/80 puts 0 HU black, 80 HU white, 40 HU mid-grey, and clamps', () => {
    const hu = Float32Array.from([-1000, 0, 40, 80, 3000, 20]);

    const { gray } = windowToGray(hu, 6, 1, 40, 80);

    expect(Array.from(gray)).toEqual([0, 0, 128, 255, 255, 64]);
  });

  it('shrinks by averaging each source box, keeping the aspect ratio', () => {
    const img = { width: 4, height: 2, gray: Uint8Array.from([0, 100, 200, 200, 100, 200, 0, 0]) };

    const small = shrink(img, 2);

    expect([small.width, small.height]).toEqual([2, 1]);
    expect(Array.from(small.gray)).toEqual([100, 100]);
    expect(shrink(img, 8)).toBe(img);
  });

  it('lays tiles out row by row with black gaps', () => {
    const tile = (v: number) => ({ width: 2, height: 1, gray: Uint8Array.from([v, v]) });

    const sheet = composeSheet([tile(1), tile(2), tile(3)], 2, 1);

    expect([sheet.width, sheet.height]).toEqual([5, 3]);
    expect(Array.from(sheet.gray)).toEqual([1, 1, 0, 2, 2, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0]);
  });

  it('draws the evidence in the viewer colours: none below 0.2, full colour at 0.6 and above, never over air', () => {
    const tile = { width: 4, height: 1, gray: Uint8Array.from([100, 100, 100, 100]) };
    const heat = Float32Array.from([0.1, 1, 1, 1]);

    const out = overlayHeat(tile, heat, 1, (x) => x === 3);

    // 0.1: grey unchanged; 1.0 at full opacity: the hottest colour (255, 255, 128); over air: grey unchanged
    expect(Array.from(out.rgb)).toEqual([100, 100, 100, 255, 255, 128, 255, 255, 128, 100, 100, 100]);
    // half opacity blends halfway
    expect(Array.from(overlayHeat(tile, heat, 0.5, () => false).rgb.subarray(3, 6))).toEqual([178, 178, 114]);
    expect(() => overlayHeat(tile, new Float32Array(3), 1, () => false)).toThrow(RangeError);
  });

  it('lays RGB tiles out like grey ones', () => {
    const sheet = composeRgbSheet([grayToRgb({ width: 1, height: 1, gray: Uint8Array.from([7]) }), grayToRgb({ width: 1, height: 1, gray: Uint8Array.from([9]) })], 2, 1);

    expect([sheet.width, sheet.height]).toEqual([3, 1]);
    expect(Array.from(sheet.rgb)).toEqual([7, 7, 7, 0, 0, 0, 9, 9, 9]);
  });
});
