/** A small rigid in-plane move plus a change of matrix size: how two scans of one head differ. */
export interface InPlaneTransform {
  /** Rotation about the image centre (radians, positive turns +column toward +row). */
  rotation: number;
  /** Shift of the anatomy in source pixels (column, row). */
  shiftX: number;
  shiftY: number;
  /** Output rows = columns. */
  size: number;
}

/**
 * Resamples a square source slice (`source` pixels wide) through `t`: HU bilinearly (so blood
 * edges get a partial-volume blend), the label mask by nearest neighbour. Outside the source is
 * air (-1024) and no label.
 */
export function transformSlice(hu: Float32Array, labels: Uint8Array, source: number, t: InPlaneTransform): { hu: Float32Array; labels: Uint8Array } {
  const out = new Float32Array(t.size * t.size);
  const outLabels = new Uint8Array(t.size * t.size);
  const scale = source / t.size;
  const c = (source - 1) / 2;
  const cos = Math.cos(t.rotation);
  const sin = Math.sin(t.rotation);
  for (let i = 0; i < t.size; i++) {
    for (let j = 0; j < t.size; j++) {
      // Output pixel centre in source pixel units, relative to the centre, moved back through the transform.
      const ox = (j + 0.5) * scale - 0.5 - c - t.shiftX;
      const oy = (i + 0.5) * scale - 0.5 - c - t.shiftY;
      const x = cos * ox + sin * oy + c;
      const y = -sin * ox + cos * oy + c;
      const p = i * t.size + j;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      if (x0 < 0 || y0 < 0 || x0 >= source - 1 || y0 >= source - 1) {
        out[p] = -1024;
        continue;
      }
      const fx = x - x0;
      const fy = y - y0;
      const q = y0 * source + x0;
      out[p] = (hu[q]! * (1 - fx) + hu[q + 1]! * fx) * (1 - fy) + (hu[q + source]! * (1 - fx) + hu[q + source + 1]! * fx) * fy;
      outLabels[p] = labels[Math.round(y) * source + Math.round(x)]!;
    }
  }
  return { hu: out, labels: outLabels };
}
