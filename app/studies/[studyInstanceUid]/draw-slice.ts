import type { SliceImage } from './use-slice-images';
import { maskHeatToBody, paintHeat, paintWindowed, placeImage, upsampleGrid, type View } from './viewer-math';

/** Offscreen canvases reused between frames: the windowed slice and the heat map. */
export interface DrawScratch {
  image: HTMLCanvasElement;
  heat: HTMLCanvasElement;
}

export function createScratch(): DrawScratch {
  return { image: document.createElement('canvas'), heat: document.createElement('canvas') };
}

/** Resolution the coarse localisation grid is smoothed to before the browser scales it. */
const HEAT_SIZE = 128;

/** The heat field of one localisation grid, smoothed (computed once per slice and label). */
export function heatField(grid: ArrayLike<number>, height: number, width: number): Float32Array {
  return upsampleGrid(grid, height, width, HEAT_SIZE, HEAT_SIZE);
}

/**
 * One frame: black background, the slice through `lut` placed by `view`, and the heat field over
 * it at `opacity` when given. `dpr` maps CSS pixels (the view's units) to canvas pixels.
 */
export function drawSlice(
  ctx: CanvasRenderingContext2D,
  scratch: DrawScratch,
  frame: { image: SliceImage; lut: Uint8Array; view: View; heat: Float32Array | null; opacity: number; dpr: number },
): void {
  const { image, lut, view, heat, opacity, dpr } = frame;
  const { canvas } = ctx;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, canvas.width, canvas.height);

  const src = scratch.image;
  if (src.width !== image.columns || src.height !== image.rows) {
    src.width = image.columns;
    src.height = image.rows;
  }
  const sctx = src.getContext('2d');
  if (!sctx) return;
  const pixels = sctx.createImageData(image.columns, image.rows);
  paintWindowed(image.hu, lut, pixels.data);
  sctx.putImageData(pixels, 0, 0);

  const p = placeImage(canvas.width / dpr, canvas.height / dpr, image, view);
  ctx.setTransform(p.scaleX * dpr, 0, 0, p.scaleY * dpr, p.x0 * dpr, p.y0 * dpr);
  ctx.imageSmoothingEnabled = p.scaleX < 2; // magnified pixels stay crisp, as a reader expects
  ctx.drawImage(src, 0, 0);

  if (heat && opacity > 0) {
    const h = scratch.heat;
    if (h.width !== HEAT_SIZE) {
      h.width = HEAT_SIZE;
      h.height = HEAT_SIZE;
    }
    const hctx = h.getContext('2d');
    if (!hctx) return;
    const rgba = hctx.createImageData(HEAT_SIZE, HEAT_SIZE);
    paintHeat(heat, rgba.data);
    maskHeatToBody(rgba.data, HEAT_SIZE, image.hu, image.rows, image.columns);
    hctx.putImageData(rgba, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.globalAlpha = opacity;
    ctx.drawImage(h, 0, 0, HEAT_SIZE, HEAT_SIZE, 0, 0, image.columns, image.rows);
    ctx.globalAlpha = 1;
  }
}
