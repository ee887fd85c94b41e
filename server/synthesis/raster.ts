// Small binary-image operations on row-major masks (0/1 bytes), all linear in the pixel count so a
// 512² slice costs about a millisecond each.

/** Square dilation by `r` pixels (separable: rows then columns). */
export function dilate(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const tmp = new Uint8Array(mask.length);
  for (let y = 0; y < h; y++) {
    let last = -1e9;
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (mask[row + x]) last = x;
      if (x - last <= r) tmp[row + x] = 1;
    }
    last = 1e9;
    for (let x = w - 1; x >= 0; x--) {
      if (mask[row + x]) last = x;
      if (last - x <= r) tmp[row + x] = 1;
    }
  }
  const out = new Uint8Array(mask.length);
  for (let x = 0; x < w; x++) {
    let last = -1e9;
    for (let y = 0; y < h; y++) {
      if (tmp[y * w + x]) last = y;
      if (y - last <= r) out[y * w + x] = 1;
    }
    last = 1e9;
    for (let y = h - 1; y >= 0; y--) {
      if (tmp[y * w + x]) last = y;
      if (last - y <= r) out[y * w + x] = 1;
    }
  }
  return out;
}

/** 4-connected flood fill from every border pixel where `open` is 1: the pixels reached. */
export function floodFromBorder(open: Uint8Array, w: number, h: number): Uint8Array {
  const seen = new Uint8Array(open.length);
  const stack = new Int32Array(open.length);
  let top = 0;
  const push = (p: number): void => {
    if (open[p] && !seen[p]) {
      seen[p] = 1;
      stack[top++] = p;
    }
  };
  for (let x = 0; x < w; x++) {
    push(x);
    push((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    push(y * w);
    push(y * w + w - 1);
  }
  spread(open, seen, stack, top, w, h);
  return seen;
}

function spread(open: Uint8Array, seen: Uint8Array, stack: Int32Array, top: number, w: number, h: number): void {
  while (top > 0) {
    const p = stack[--top]!;
    const x = p % w;
    const y = (p - x) / w;
    if (x > 0 && open[p - 1] && !seen[p - 1]) {
          seen[p - 1] = 1;
          stack[top++] = p - 1;
        }
    if (x < w - 1 && open[p + 1] && !seen[p + 1]) {
          seen[p + 1] = 1;
          stack[top++] = p + 1;
        }
    if (y > 0 && open[p - w] && !seen[p - w]) {
          seen[p - w] = 1;
          stack[top++] = p - w;
        }
    if (y < h - 1 && open[p + w] && !seen[p + w]) {
          seen[p + w] = 1;
          stack[top++] = p + w;
        }
  }
}

/** The largest 4-connected component of `mask` (all zeros when it is empty). */
export function largestComponent(mask: Uint8Array, w: number, h: number): Uint8Array {
  const label = new Int32Array(mask.length);
  const stack = new Int32Array(mask.length);
  let best = 0;
  let bestSize = 0;
  let next = 0;
  for (let p0 = 0; p0 < mask.length; p0++) {
    if (!mask[p0] || label[p0]) continue;
    next++;
    let size = 0;
    let top = 0;
    label[p0] = next;
    stack[top++] = p0;
    while (top > 0) {
      const p = stack[--top]!;
      size++;
      const x = p % w;
      const y = (p - x) / w;
      if (x > 0 && mask[p - 1] && !label[p - 1]) {
          label[p - 1] = next;
          stack[top++] = p - 1;
        }
      if (x < w - 1 && mask[p + 1] && !label[p + 1]) {
          label[p + 1] = next;
          stack[top++] = p + 1;
        }
      if (y > 0 && mask[p - w] && !label[p - w]) {
          label[p - w] = next;
          stack[top++] = p - w;
        }
      if (y < h - 1 && mask[p + w] && !label[p + w]) {
          label[p + w] = next;
          stack[top++] = p + w;
        }
    }
    if (size > bestSize) {
          bestSize = size;
          best = next;
        }
  }
  const out = new Uint8Array(mask.length);
  if (best > 0) for (let p = 0; p < mask.length; p++) out[p] = label[p] === best ? 1 : 0;
  return out;
}

/** Connected components (4-connected) of `mask` with at least `minPixels` pixels, merged into one mask. */
export function componentsAtLeast(mask: Uint8Array, w: number, h: number, minPixels: number): Uint8Array {
  const label = new Int32Array(mask.length);
  const stack = new Int32Array(mask.length);
  const members = new Int32Array(mask.length);
  const out = new Uint8Array(mask.length);
  for (let p0 = 0; p0 < mask.length; p0++) {
    if (!mask[p0] || label[p0]) continue;
    let count = 0;
    let top = 0;
    label[p0] = 1;
    stack[top++] = p0;
    while (top > 0) {
      const p = stack[--top]!;
      members[count++] = p;
      const x = p % w;
      const y = (p - x) / w;
      if (x > 0 && mask[p - 1] && !label[p - 1]) {
          label[p - 1] = 1;
          stack[top++] = p - 1;
        }
      if (x < w - 1 && mask[p + 1] && !label[p + 1]) {
          label[p + 1] = 1;
          stack[top++] = p + 1;
        }
      if (y > 0 && mask[p - w] && !label[p - w]) {
          label[p - w] = 1;
          stack[top++] = p - w;
        }
      if (y < h - 1 && mask[p + w] && !label[p + w]) {
          label[p + w] = 1;
          stack[top++] = p + w;
        }
    }
    if (count >= minPixels) for (let i = 0; i < count; i++) out[members[i]!] = 1;
  }
  return out;
}

/** Mean over a (2r+1)² box, edges clamped (running sums along rows, then columns). */
export function boxMean(values: Float32Array, w: number, h: number, r: number): Float32Array {
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let s = 0;
    for (let x = 0; x <= Math.min(r, w - 1); x++) s += values[row + x]!;
    for (let x = 0; x < w; x++) {
      const lo = Math.max(0, x - r);
      const hi = Math.min(w - 1, x + r);
      tmp[row + x] = s / (hi - lo + 1);
      if (x + r + 1 < w) s += values[row + x + r + 1]!;
      if (x - r >= 0) s -= values[row + x - r]!;
    }
  }
  for (let x = 0; x < w; x++) {
    let s = 0;
    for (let y = 0; y <= Math.min(r, h - 1); y++) s += tmp[y * w + x]!;
    for (let y = 0; y < h; y++) {
      const lo = Math.max(0, y - r);
      const hi = Math.min(h - 1, y + r);
      out[y * w + x] = s / (hi - lo + 1);
      if (y + r + 1 < h) s += tmp[(y + r + 1) * w + x]!;
      if (y - r >= 0) s -= tmp[(y - r) * w + x]!;
    }
  }
  return out;
}

/**
 * Distance (in pixels, 3-4 chamfer: within ~8 % of Euclidean) from each pixel of `mask` to the
 * nearest pixel outside it; 0 outside. Pixels on the image border count as next to the outside.
 */
export function distanceInside(mask: Uint8Array, w: number, h: number): Float32Array {
  const big = 1e9;
  const d = new Float32Array(mask.length);
  for (let p = 0; p < mask.length; p++) d[p] = mask[p] ? big : 0;
  // Border pixels see the outside (distance 0) beyond the image; inside, the 8 neighbours are read directly.
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= w || y >= h ? 0 : d[y * w + x]!);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (d[p] === 0) continue;
      const v = x > 0 && y > 0 && x < w - 1 ? Math.min(d[p - 1]! + 3, d[p - w]! + 3, d[p - w - 1]! + 4, d[p - w + 1]! + 4) : Math.min(at(x - 1, y) + 3, at(x, y - 1) + 3, at(x - 1, y - 1) + 4, at(x + 1, y - 1) + 4);
      if (v < d[p]!) d[p] = v;
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1; x >= 0; x--) {
      const p = y * w + x;
      if (d[p] === 0) continue;
      const v = x > 0 && y < h - 1 && x < w - 1 ? Math.min(d[p + 1]! + 3, d[p + w]! + 3, d[p + w + 1]! + 4, d[p + w - 1]! + 4) : Math.min(at(x + 1, y) + 3, at(x, y + 1) + 3, at(x + 1, y + 1) + 4, at(x - 1, y + 1) + 4);
      if (v < d[p]!) d[p] = v;
    }
  }
  for (let p = 0; p < d.length; p++) d[p] = d[p]! / 3;
  return d;
}
