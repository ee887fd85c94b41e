import { drawText, GLYPH_HEIGHT, textWidth } from './bitmap-font';

/** Brain window (level 40 HU, width 80), as the study view opens. */
const LEVEL = 40;
const WIDTH = 80;
/** Narrowest picture the label fits in legibly; smaller slices are enlarged (nearest neighbour). */
const MIN_COLUMNS = 256;
/** The study view's defaults (app/studies/…/slice-viewer.tsx, viewer-math.ts): same picture as on screen. */
const OVERLAY_OPACITY = 0.5;
const AIR_HU = -300;

export interface KeySliceImage {
  rows: number;
  columns: number;
  /** RGB, 8 bits per sample, interleaved (PlanarConfiguration 0). */
  rgb: Uint8Array;
}

/**
 * The key slice as people see it in the study view: brain window, the model's evidence map (0..1,
 * any resolution, stretched over the slice) in the viewer's heat colours at its default opacity and
 * only over the body, and `label` burned in on a black band at the top, so the picture carries its
 * own warning wherever it is shown.
 */
export function renderKeySlice(hu: { rows: number; columns: number; values: ArrayLike<number> }, map: { height: number; width: number; values: ArrayLike<number> } | undefined, label: string): KeySliceImage {
  const k = Math.max(1, Math.ceil(MIN_COLUMNS / hu.columns));
  const columns = hu.columns * k;
  const rows = hu.rows * k;
  const rgb = new Uint8Array(rows * columns * 3);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      const v = hu.values[Math.floor(y / k) * hu.columns + Math.floor(x / k)]!;
      const grey = Math.max(0, Math.min(255, Math.round(((v - (LEVEL - WIDTH / 2)) / WIDTH) * 255)));
      // Map sampled at the pixel centre, bilinear, so an 8×8 map reads as a glow, not tiles.
      const m = map && v >= AIR_HU ? sampleBilinear(map, ((x + 0.5) / columns) * map.width - 0.5, ((y + 0.5) / rows) * map.height - 0.5) : 0;
      const [hr, hg, hb, ha] = heatColour(m);
      const alpha = OVERLAY_OPACITY * ha;
      const i = (y * columns + x) * 3;
      rgb[i] = Math.round(grey * (1 - alpha) + hr * alpha);
      rgb[i + 1] = Math.round(grey * (1 - alpha) + hg * alpha);
      rgb[i + 2] = Math.round(grey * (1 - alpha) + hb * alpha);
    }
  }
  // Twice the size where it fits (a 512 px slice), else 1:1 (MIN_COLUMNS holds it).
  const textScale = textWidth(label, 2) + 8 <= columns ? 2 : 1;
  const band = (GLYPH_HEIGHT + 4) * textScale;
  rgb.fill(0, 0, band * columns * 3);
  drawText(label, 4, 2 * textScale, textScale, (x, y) => {
    if (x < columns && y < rows) rgb.fill(255, (y * columns + x) * 3, (y * columns + x) * 3 + 3);
  });
  return { rows, columns, rgb };
}

/**
 * The study view's heat colour (app/studies/[studyInstanceUid]/viewer-math.ts heatColour, which
 * server code may not import): dark red through yellow to white, alpha 0 below 0.2, 0..1 channels.
 */
function heatColour(v: number): [number, number, number, number] {
  const t = Math.min(1, Math.max(0, v));
  return [Math.min(1, t * 2.5) * 255, Math.min(1, Math.max(0, t * 2.5 - 1)) * 255, Math.min(1, Math.max(0, t * 2.5 - 2)) * 255, t < 0.2 ? 0 : Math.min(1, (t - 0.2) / 0.4)];
}

function sampleBilinear(map: { height: number; width: number; values: ArrayLike<number> }, fx: number, fy: number): number {
  const x0 = Math.max(0, Math.min(map.width - 1, Math.floor(fx)));
  const y0 = Math.max(0, Math.min(map.height - 1, Math.floor(fy)));
  const x1 = Math.min(map.width - 1, x0 + 1);
  const y1 = Math.min(map.height - 1, y0 + 1);
  const tx = Math.max(0, Math.min(1, fx - x0));
  const ty = Math.max(0, Math.min(1, fy - y0));
  const at = (x: number, y: number) => {
    const v = map.values[y * map.width + x]!;
    return Number.isFinite(v) ? v : 0;
  };
  return (at(x0, y0) * (1 - tx) + at(x1, y0) * tx) * (1 - ty) + (at(x0, y1) * (1 - tx) + at(x1, y1) * tx) * ty;
}
