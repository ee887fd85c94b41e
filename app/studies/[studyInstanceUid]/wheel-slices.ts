/**
 * Turns wheel events into slice steps. A mouse wheel notch arrives as one event of a line or page,
 * or (Chrome) of ~100-120 px: it is exactly one slice, whatever the browser's pixel size for a
 * notch (the old fixed 50 px per slice made Chrome's 100 px notch two slices). A trackpad sends
 * many small pixel deltas: they add up, and a slice is taken each TRACKPAD_STEP px.
 */

/** Pixel deltas at or above this are a wheel notch (trackpads send a few px per event). */
const NOTCH_MIN_PX = 50;
/** Pixels per notch when a browser coalesces several notches into one event (Chrome: 100-120). */
const NOTCH_PX = 120;
/** Trackpad travel per slice. */
const TRACKPAD_STEP_PX = 40;
/** A pause this long ends a trackpad gesture: what was left over does not carry into the next one. */
const GESTURE_GAP_MS = 300;

/** WheelEvent.deltaMode values. */
const DOM_DELTA_PIXEL = 0;

export interface WheelInput {
  deltaY: number;
  deltaMode: number;
  /** The event's timeStamp (ms). */
  time: number;
}

/** A stateful accumulator: feed every wheel event, get the signed number of slices to move (often 0). */
export function createWheelSlices(): (e: WheelInput) => number {
  let remainder = 0;
  let last = -Infinity;
  return ({ deltaY, deltaMode, time }) => {
    const gap = time - last;
    last = time;
    if (deltaY === 0 || Number.isNaN(deltaY)) return 0;
    const sign = Math.sign(deltaY);
    if (deltaMode !== DOM_DELTA_PIXEL || Math.abs(deltaY) >= NOTCH_MIN_PX) {
      remainder = 0;
      const notches = deltaMode === DOM_DELTA_PIXEL ? Math.round(Math.abs(deltaY) / NOTCH_PX) : 1;
      return sign * Math.max(1, notches);
    }
    // A new gesture, or a change of direction, starts from nothing.
    if (gap > GESTURE_GAP_MS || Math.sign(remainder) === -sign) remainder = 0;
    remainder += deltaY;
    const steps = Math.trunc(remainder / TRACKPAD_STEP_PX);
    remainder -= steps * TRACKPAD_STEP_PX;
    return steps === 0 ? 0 : steps; // never -0
  };
}
