/**
 * Turning HU images into 8-bit pictures for people: a display window, an area-average shrink and
 * a grid of tiles, and the model's evidence map over a tile. Pure functions on typed arrays; the
 * render command does the I/O.
 */
import { heatColour } from '../../lib/evidence-heat';

export interface GrayImage {
  width: number;
  height: number;
  /** Row-major, one byte per pixel. */
  gray: Uint8Array;
}

/** Maps HU to 0..255 through a window (level L, width W): L - W/2 is black, L + W/2 white. */
export function windowToGray(hu: Float32Array, width: number, height: number, level: number, windowWidth: number): GrayImage {
  const gray = new Uint8Array(width * height);
  const lo = level - windowWidth / 2;
  const scale = 255 / windowWidth;
  for (let i = 0; i < gray.length; i++) {
    // Uint8Array stores clamp nothing (they wrap), so clamp before the store.
    gray[i] = Math.max(0, Math.min(255, Math.round((hu[i]! - lo) * scale)));
  }
  return { width, height, gray };
}

/** Shrinks `img` so its longer side is at most `maxSide`, averaging each source box (no aliasing). */
export function shrink(img: GrayImage, maxSide: number): GrayImage {
  const factor = Math.max(img.width, img.height) / maxSide;
  if (factor <= 1) return img;
  const width = Math.max(1, Math.round(img.width / factor));
  const height = Math.max(1, Math.round(img.height / factor));
  const gray = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor((y * img.height) / height);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * img.height) / height));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor((x * img.width) / width);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * img.width) / width));
      let sum = 0;
      for (let sy = y0; sy < y1; sy++) for (let sx = x0; sx < x1; sx++) sum += img.gray[sy * img.width + sx]!;
      gray[y * width + x] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
    }
  }
  return { width, height, gray };
}

export interface RgbImage {
  width: number;
  height: number;
  /** Row-major, three bytes per pixel (red, green, blue). */
  rgb: Uint8Array;
}

/**
 * `tile` in grey with `heat` (one 0..1 value per tile pixel) laid over it in the study viewer's
 * colours (lib/evidence-heat.ts: transparent below 0.2, opaque from 0.6), at `opacity`.
 * `air(x, y)` says where the slice is air: nothing is drawn there, as in the viewer.
 */
export function overlayHeat(tile: GrayImage, heat: Float32Array, opacity: number, air: (x: number, y: number) => boolean): RgbImage {
  if (heat.length !== tile.width * tile.height) throw new RangeError(`a ${tile.width} x ${tile.height} tile needs ${tile.width * tile.height} heat values, got ${heat.length}`);
  const rgb = new Uint8Array(tile.width * tile.height * 3);
  for (let y = 0; y < tile.height; y++) {
    for (let x = 0; x < tile.width; x++) {
      const i = y * tile.width + x;
      const g = tile.gray[i]!;
      const [r, gr, b, a] = heatColour(heat[i]!);
      const w = air(x, y) ? 0 : (a / 255) * opacity;
      rgb[i * 3] = Math.round(g * (1 - w) + r * w);
      rgb[i * 3 + 1] = Math.round(g * (1 - w) + gr * w);
      rgb[i * 3 + 2] = Math.round(g * (1 - w) + b * w);
    }
  }
  return { width: tile.width, height: tile.height, rgb };
}

/** A grey tile as RGB (for a sheet that mixes tiles with and without an overlay). */
export function grayToRgb(tile: GrayImage): RgbImage {
  const rgb = new Uint8Array(tile.gray.length * 3);
  tile.gray.forEach((g, i) => rgb.fill(g, i * 3, i * 3 + 3));
  return { width: tile.width, height: tile.height, rgb };
}

/** Lays tiles out left to right, top to bottom, `columns` per row, `gap` black pixels apart. */
export function composeSheet(tiles: readonly GrayImage[], columns: number, gap = 2): GrayImage {
  const { width, height, pixels } = layout(tiles.map((t) => ({ width: t.width, height: t.height, pixels: t.gray })), columns, gap, 1);
  return { width, height, gray: pixels };
}

/** composeSheet for RGB tiles. */
export function composeRgbSheet(tiles: readonly RgbImage[], columns: number, gap = 2): RgbImage {
  const { width, height, pixels } = layout(tiles.map((t) => ({ width: t.width, height: t.height, pixels: t.rgb })), columns, gap, 3);
  return { width, height, rgb: pixels };
}

function layout(tiles: readonly { width: number; height: number; pixels: Uint8Array }[], columns: number, gap: number, channels: number) {
  if (tiles.length === 0) throw new RangeError('no tiles to lay out');
  const cellW = Math.max(...tiles.map((t) => t.width));
  const cellH = Math.max(...tiles.map((t) => t.height));
  const cols = Math.min(columns, tiles.length);
  const rows = Math.ceil(tiles.length / cols);
  const width = cols * cellW + (cols - 1) * gap;
  const height = rows * cellH + (rows - 1) * gap;
  const pixels = new Uint8Array(width * height * channels);
  tiles.forEach((t, i) => {
    const left = (i % cols) * (cellW + gap);
    const top = Math.floor(i / cols) * (cellH + gap);
    const line = t.width * channels;
    for (let y = 0; y < t.height; y++) pixels.set(t.pixels.subarray(y * line, (y + 1) * line), ((top + y) * width + left) * channels);
  });
  return { width, height, pixels };
}
