// Pure pixel arithmetic of the canvas viewer (tested in server/viewer/study-view-math.test.ts,
// since vitest collects tests outside app/ only).

/** Window presets a reader switches between with keys 1/2/3. */
export const WINDOW_PRESETS = [
  { key: '1', name: 'Brain', center: 40, width: 80 },
  { key: '2', name: 'Subdural', center: 80, width: 200 },
  { key: '3', name: 'Bone', center: 600, width: 2800 },
] as const;

export interface Window {
  center: number;
  width: number;
}

const LUT_OFFSET = 32768;

/**
 * Grey level for every Int16 HU (index = HU + 32768), DICOM's linear window (PS3.3 C.11.2.1.2.1):
 * one table per window change makes drawing a slice one lookup per pixel.
 */
export function windowLut({ center, width }: Window): Uint8Array {
  const lut = new Uint8Array(65536);
  const w = Math.max(1, width);
  const low = center - 0.5 - (w - 1) / 2;
  const high = center - 0.5 + (w - 1) / 2;
  for (let i = 0; i < 65536; i++) {
    const hu = i - LUT_OFFSET;
    lut[i] = hu <= low ? 0 : hu > high ? 255 : Math.round(((hu - (center - 0.5)) / (w - 1) + 0.5) * 255);
  }
  return lut;
}

/** Writes the windowed slice as opaque grey RGBA into `out` (rows x columns x 4). */
export function paintWindowed(hu: Int16Array, lut: Uint8Array, out: Uint8ClampedArray): void {
  for (let i = 0, o = 0; i < hu.length; i++, o += 4) {
    const g = lut[hu[i]! + LUT_OFFSET]!;
    out[o] = g;
    out[o + 1] = g;
    out[o + 2] = g;
    out[o + 3] = 255;
  }
}

/** A new window after dragging by (dx, dy) screen pixels: right widens, down raises the level. */
export function dragWindow(start: Window, dx: number, dy: number): Window {
  const step = Math.max(1, start.width / 200);
  return { center: Math.round(start.center + dy * step), width: Math.max(1, Math.round(start.width + dx * step * 2)) };
}

export interface ImageGeometry {
  rows: number;
  columns: number;
  /** Row, column spacing in mm; square pixels when null. */
  pixelSpacing: [number, number] | null;
}

export interface View {
  /** 1 = the whole slice fits the canvas. */
  zoom: number;
  /** Pan in canvas pixels. */
  panX: number;
  panY: number;
}

export const INITIAL_VIEW: View = { zoom: 1, panX: 0, panY: 0 };

/** Where the image lands on the canvas: canvas = offset + pixel * scale (per axis, honouring pixel spacing). */
export interface Placement {
  x0: number;
  y0: number;
  scaleX: number;
  scaleY: number;
}

/** Fits the slice in the canvas keeping its true aspect (mm), then applies zoom and pan. */
export function placeImage(canvasWidth: number, canvasHeight: number, image: ImageGeometry, view: View): Placement {
  const [rowMm, colMm] = image.pixelSpacing ?? [1, 1];
  const widthMm = image.columns * colMm;
  const heightMm = image.rows * rowMm;
  const mmToPx = Math.min(canvasWidth / widthMm, canvasHeight / heightMm) * view.zoom;
  const scaleX = colMm * mmToPx;
  const scaleY = rowMm * mmToPx;
  return {
    x0: (canvasWidth - image.columns * scaleX) / 2 + view.panX,
    y0: (canvasHeight - image.rows * scaleY) / 2 + view.panY,
    scaleX,
    scaleY,
  };
}

/** The image pixel under a canvas point, or null outside the image. */
export function pixelAt(p: Placement, image: ImageGeometry, x: number, y: number): { row: number; column: number } | null {
  const column = Math.floor((x - p.x0) / p.scaleX);
  const row = Math.floor((y - p.y0) / p.scaleY);
  return row >= 0 && row < image.rows && column >= 0 && column < image.columns ? { row, column } : null;
}

/** Zoom about a canvas point (the point under the cursor stays put), within 0.5x..16x. */
export function zoomAbout(view: View, factor: number, x: number, y: number, canvasWidth: number, canvasHeight: number): View {
  const zoom = Math.min(16, Math.max(0.5, view.zoom * factor));
  const f = zoom / view.zoom;
  // Image centre on canvas is (cw/2 + pan); keep the point (x, y) fixed.
  const cx = canvasWidth / 2 + view.panX;
  const cy = canvasHeight / 2 + view.panY;
  return { zoom, panX: view.panX + (x - cx) * (1 - f), panY: view.panY + (y - cy) * (1 - f) };
}

// How evidence maps are drawn is shared with `npm run render -- --model` (lib/evidence-heat.ts).
export { heatColour, maskHeatToBody, paintHeat, upsampleGrid } from '@/lib/evidence-heat';

type Point = { x: number; y: number };

/**
 * Two-finger pinch: zoom by the change in finger distance about where the fingers started, and pan
 * with their midpoint, so the image follows the fingers.
 */
export function pinchView(start: View, a0: Point, b0: Point, a: Point, b: Point, canvasWidth: number, canvasHeight: number): View {
  const d0 = Math.hypot(b0.x - a0.x, b0.y - a0.y);
  const d = Math.hypot(b.x - a.x, b.y - a.y);
  const m0 = { x: (a0.x + b0.x) / 2, y: (a0.y + b0.y) / 2 };
  const zoomed = zoomAbout(start, d0 > 0 ? d / d0 : 1, m0.x, m0.y, canvasWidth, canvasHeight);
  return { ...zoomed, panX: zoomed.panX + (a.x + b.x) / 2 - m0.x, panY: zoomed.panY + (a.y + b.y) / 2 - m0.y };
}
