import type { HuImage } from '@/server/dicom';

/**
 * Approximate Hounsfield units from the CT-ICH dataset's two pre-windowed 8-bit JPEGs, exactly as
 * the training recipe computes them (models/training/hu_reconstruction.py; the golden test keeps
 * the two equal). CT-ICH ships no raw HU: each slice is a brain-window and a bone-window JPEG.
 * Inside the brain window's unsaturated range the brain image is ~27x finer, so it wins there;
 * where it is saturated (air, fat, bone) the bone image fills in, clamped so it never contradicts
 * the side of the window it came from.
 */
export const CTICH_BRAIN_WINDOW = { center: 40, width: 120 } as const;
export const CTICH_BONE_WINDOW = { center: 700, width: 3200 } as const;
/** Grey levels this close to 0/255 in the brain image count as saturated (JPEG ringing). */
const SATURATION_MARGIN = 2;
const AIR_HU = -1000;
/** Without a bone twin, saturated-bright brain pixels become this (bone). */
const BONE_FALLBACK_HU = 1000;

/** Inverts a linear window in float32 as numpy does: grey / 255 * width + (center - width / 2). */
function greyToHu(grey: number, window: { center: number; width: number }): number {
  return Math.fround(Math.fround(Math.fround(grey / 255) * window.width) + (window.center - window.width / 2));
}

export function reconstructCtIchHu(brain: Uint8Array, bone: Uint8Array | null, rows: number, columns: number): HuImage {
  const n = rows * columns;
  if (brain.length !== n || (bone && bone.length !== n)) {
    throw new RangeError(`CT-ICH images must both be ${rows}x${columns}`);
  }
  const hu = new Float32Array(n);
  const b = CTICH_BRAIN_WINDOW;
  const loEdge = Math.fround(b.center - b.width / 2 + (SATURATION_MARGIN * b.width) / 255);
  const hiEdge = Math.fround(b.center + b.width / 2 - (SATURATION_MARGIN * b.width) / 255);
  for (let i = 0; i < n; i++) {
    const g = brain[i]!;
    const loSat = g <= SATURATION_MARGIN;
    const hiSat = g >= 255 - SATURATION_MARGIN;
    if (!loSat && !hiSat) {
      hu[i] = greyToHu(g, b);
    } else if (!bone) {
      hu[i] = loSat ? AIR_HU : BONE_FALLBACK_HU;
    } else {
      const boneHu = bone[i] === 0 ? AIR_HU : greyToHu(bone[i]!, CTICH_BONE_WINDOW);
      hu[i] = loSat ? Math.min(boneHu, loEdge) : Math.max(boneHu, hiEdge);
    }
  }
  return { rows, columns, hu };
}
