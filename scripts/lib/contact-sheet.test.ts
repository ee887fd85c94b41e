import { describe, expect, it } from 'vitest';
import { composeSheet, shrink, windowToGray } from './contact-sheet';

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
});
