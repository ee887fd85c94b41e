/**
 * Per-pixel polar coordinates about the head's centre, computed once per study and shared by every
 * slice (the centre does not move along z), so rendering a slice needs no atan2 or sqrt per pixel.
 */
export interface PolarGrid {
  size: number;
  /** Pixel spacing (mm). */
  spacing: number;
  /** Offsets from the head centre in mm: +x patient left (columns), +y posterior (rows). */
  dx: Float32Array;
  dy: Float32Array;
  /** Distance from the centre (mm). */
  r: Float32Array;
  /** Angle bin of atan2(dy, dx), 0..ANGLE_BINS-1. */
  bin: Uint16Array;
}

/** Angular resolution of the per-slice radius tables: 0.3 mm at 100 mm from the centre. */
export const ANGLE_BINS = 2048;

/** Angle (radians, in [-π, π)) at the middle of each bin. */
export const BIN_ANGLE: Float32Array = (() => {
  const a = new Float32Array(ANGLE_BINS);
  for (let i = 0; i < ANGLE_BINS; i++) a[i] = ((i + 0.5) / ANGLE_BINS) * 2 * Math.PI - Math.PI;
  return a;
})();

/** The bin holding angle `theta` (radians, any value). */
export function angleBin(theta: number): number {
  const t = (theta + Math.PI) / (2 * Math.PI);
  const b = Math.floor((t - Math.floor(t)) * ANGLE_BINS);
  return b >= ANGLE_BINS ? 0 : b;
}

/** Grid of a `size`² image with `spacing` mm pixels whose centre is `(centreX, centreY)` mm from the head's. */
export function createPolarGrid(size: number, spacing: number, centreX: number, centreY: number): PolarGrid {
  const n = size * size;
  const dx = new Float32Array(n);
  const dy = new Float32Array(n);
  const r = new Float32Array(n);
  const bin = new Uint16Array(n);
  const half = (size - 1) / 2;
  for (let row = 0; row < size; row++) {
    const y = (row - half) * spacing - centreY;
    for (let col = 0; col < size; col++) {
      const x = (col - half) * spacing - centreX;
      const p = row * size + col;
      dx[p] = x;
      dy[p] = y;
      r[p] = Math.hypot(x, y);
      bin[p] = angleBin(Math.atan2(y, x));
    }
  }
  return { size, spacing, dx, dy, r, bin };
}
