import { describe, expect, it } from 'vitest';
import { createWheelSlices } from './wheel-slices';

const PIXEL = 0;
const LINE = 1;

describe('wheel to slices', () => {
  it('moves one slice per mouse-wheel notch, whatever size the browser gives a notch', () => {
    const step = createWheelSlices();
    expect(step({ deltaY: 100, deltaMode: PIXEL, time: 0 })).toBe(1); // Chrome
    expect(step({ deltaY: 120, deltaMode: PIXEL, time: 50 })).toBe(1);
    expect(step({ deltaY: 53, deltaMode: PIXEL, time: 100 })).toBe(1);
    expect(step({ deltaY: -100, deltaMode: PIXEL, time: 150 })).toBe(-1);
    expect(step({ deltaY: 3, deltaMode: LINE, time: 200 })).toBe(1); // Firefox: 3 lines a notch
    expect(step({ deltaY: -3, deltaMode: LINE, time: 250 })).toBe(-1);
  });

  it('counts notches a browser coalesced into one event', () => {
    const step = createWheelSlices();
    expect(step({ deltaY: 240, deltaMode: PIXEL, time: 0 })).toBe(2);
    expect(step({ deltaY: -360, deltaMode: PIXEL, time: 10 })).toBe(-3);
  });

  it('adds up small trackpad deltas into slices', () => {
    const step = createWheelSlices();
    const moves = [12, 12, 12, 12, 12, 12, 12].map((d, i) => step({ deltaY: d, deltaMode: PIXEL, time: i * 16 }));
    expect(moves.reduce((a, b) => a + b, 0)).toBe(2); // 84 px: two slices of 40, 4 px left
    expect(moves.filter((m) => m !== 0)).toEqual([1, 1]);
  });

  it('drops what was left over when the direction changes or the gesture pauses', () => {
    const step = createWheelSlices();
    expect(step({ deltaY: 30, deltaMode: PIXEL, time: 0 })).toBe(0);
    expect(step({ deltaY: -30, deltaMode: PIXEL, time: 16 })).toBe(0); // not 30 - 30 = 0 then on: a fresh start
    expect(step({ deltaY: -15, deltaMode: PIXEL, time: 32 })).toBe(-1);
    expect(step({ deltaY: 35, deltaMode: PIXEL, time: 40 })).toBe(0);
    expect(step({ deltaY: 35, deltaMode: PIXEL, time: 1000 })).toBe(0); // after a pause: 35, not 70
  });

  it('ignores empty deltas', () => {
    const step = createWheelSlices();
    expect(step({ deltaY: 0, deltaMode: PIXEL, time: 0 })).toBe(0);
  });
});
