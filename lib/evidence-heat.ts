/**
 * How a model's localisation map is drawn over a slice, the same in the study viewer and in
 * `npm run render -- --model` contact sheets: the coarse grid resampled bilinearly to the picture,
 * a "hot" colour per value, transparent below 0.2, and nothing drawn over air.
 */

/**
 * The model's coarse grid (cell centres evenly spread over the whole slice, as the model saw it)
 * resampled bilinearly to outH x outW, so the overlay reads as a smooth field, not blocks.
 */
export function upsampleGrid(grid: ArrayLike<number>, height: number, width: number, outH: number, outW: number): Float32Array {
  const out = new Float32Array(outH * outW);
  for (let y = 0; y < outH; y++) {
    const gy = Math.min(height - 1, Math.max(0, ((y + 0.5) * height) / outH - 0.5));
    const y0 = Math.floor(gy);
    const y1 = Math.min(height - 1, y0 + 1);
    const fy = gy - y0;
    for (let x = 0; x < outW; x++) {
      const gx = Math.min(width - 1, Math.max(0, ((x + 0.5) * width) / outW - 0.5));
      const x0 = Math.floor(gx);
      const x1 = Math.min(width - 1, x0 + 1);
      const fx = gx - x0;
      const top = grid[y0 * width + x0]! * (1 - fx) + grid[y0 * width + x1]! * fx;
      const bottom = grid[y1 * width + x0]! * (1 - fx) + grid[y1 * width + x1]! * fx;
      out[y * outW + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/**
 * A "hot" colour for a localisation value: dark red through yellow to white, transparent where the
 * model sees little (below 0.2) so the anatomy stays readable under it.
 */
export function heatColour(v: number): [number, number, number, number] {
  const t = Math.min(1, Math.max(0, v));
  const r = Math.min(1, t * 2.5);
  const g = Math.min(1, Math.max(0, t * 2.5 - 1));
  const b = Math.min(1, Math.max(0, t * 2.5 - 2));
  const a = t < 0.2 ? 0 : Math.min(1, (t - 0.2) / 0.4);
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255), Math.round(a * 255)];
}

/** Paints a 0..1 field as heat colours into RGBA. */
export function paintHeat(values: Float32Array, out: Uint8ClampedArray): void {
  for (let i = 0; i < values.length; i++) out.set(heatColour(values[i]!), i * 4);
}

/** Below this the pixel is air: no evidence is drawn over it (the model's coarse map spills past the head). */
export const AIR_HU = -300;

/**
 * Clears the heat colour (alpha 0) wherever the slice under it is air, so the evidence stays on
 * the head. `rgba` is a size x size heat image laid over the whole rows x columns slice.
 */
export function maskHeatToBody(rgba: Uint8ClampedArray, size: number, hu: ArrayLike<number>, rows: number, columns: number): void {
  for (let y = 0; y < size; y++) {
    const row = Math.min(rows - 1, Math.floor(((y + 0.5) * rows) / size));
    for (let x = 0; x < size; x++) {
      const col = Math.min(columns - 1, Math.floor(((x + 0.5) * columns) / size));
      if (hu[row * columns + col]! < AIR_HU) rgba[(y * size + x) * 4 + 3] = 0;
    }
  }
}
