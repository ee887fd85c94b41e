/**
 * Turning HU images into 8-bit pictures for people: a display window, an area-average shrink and
 * a grid of tiles. Pure functions on typed arrays; the render command does the I/O.
 */

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

/** Lays tiles out left to right, top to bottom, `columns` per row, `gap` black pixels apart. */
export function composeSheet(tiles: readonly GrayImage[], columns: number, gap = 2): GrayImage {
  if (tiles.length === 0) throw new RangeError('no tiles to lay out');
  const cellW = Math.max(...tiles.map((t) => t.width));
  const cellH = Math.max(...tiles.map((t) => t.height));
  const cols = Math.min(columns, tiles.length);
  const rows = Math.ceil(tiles.length / cols);
  const width = cols * cellW + (cols - 1) * gap;
  const height = rows * cellH + (rows - 1) * gap;
  const gray = new Uint8Array(width * height);
  tiles.forEach((t, i) => {
    const left = (i % cols) * (cellW + gap);
    const top = Math.floor(i / cols) * (cellH + gap);
    for (let y = 0; y < t.height; y++) gray.set(t.gray.subarray(y * t.width, (y + 1) * t.width), (top + y) * width + left);
  });
  return { width, height, gray };
}
