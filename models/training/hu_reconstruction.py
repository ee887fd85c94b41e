"""Approximate Hounsfield units from the CT-ICH dataset's two pre-windowed 8-bit JPEGs.

The dataset ships every slice twice: a brain window and a bone window. Both windows were measured
from the images themselves (see README.md, "Windows found"):

    brain: level 40, width 120  -> grey = (HU + 20) / 120 * 255, clipped to [0, 255]   (0.47 HU/level)
    bone:  level 700, width 3200 -> grey = (HU + 900) / 3200 * 255, clipped to [0, 255] (12.5 HU/level)

Inside the brain window's unsaturated range the brain image is ~27x finer, so it wins there; where
the brain image is saturated (air, fat, bone, or JPEG ringing at its ends) the bone image is used,
clamped so it never contradicts the saturation side it came from.
"""
from __future__ import annotations

import numpy as np

BRAIN_WINDOW = (40.0, 120.0)
BONE_WINDOW = (700.0, 3200.0)
# Grey levels this close to 0/255 in the brain image are treated as saturated: JPEG ringing puts
# a few levels of noise on flat saturated regions.
SATURATION_MARGIN = 2
# Below the bone window (grey 0 = HU <= -900) there is only air; call it -1000 HU.
AIR_HU = -1000.0


def grey_to_hu(grey: np.ndarray, window: tuple[float, float]) -> np.ndarray:
    """Inverts a linear window: grey 0..255 -> HU, no clipping."""
    level, width = window
    return grey.astype(np.float32) / np.float32(255.0) * np.float32(width) + np.float32(level - width / 2)


def reconstruct_hu(brain: np.ndarray, bone: np.ndarray | None) -> np.ndarray:
    """float32 HU image from the brain- and bone-window greys of one slice (same shape, uint8).

    Without a bone twin (one slice in the dataset) saturated pixels fall back to the brain window's
    ends pushed out: 0 -> air, 255 -> 1000 HU (bone).
    """
    brain_hu = grey_to_hu(brain, BRAIN_WINDOW)
    lo_sat = brain <= SATURATION_MARGIN
    hi_sat = brain >= 255 - SATURATION_MARGIN
    if bone is None:
        out = brain_hu.copy()
        out[lo_sat] = AIR_HU
        out[hi_sat] = 1000.0
        return out
    if bone.shape != brain.shape:
        raise ValueError(f"brain {brain.shape} and bone {bone.shape} images differ in shape")
    bone_hu = grey_to_hu(bone, BONE_WINDOW)
    bone_hu[bone == 0] = AIR_HU
    lo_edge = np.float32(BRAIN_WINDOW[0] - BRAIN_WINDOW[1] / 2 + SATURATION_MARGIN * BRAIN_WINDOW[1] / 255)
    hi_edge = np.float32(BRAIN_WINDOW[0] + BRAIN_WINDOW[1] / 2 - SATURATION_MARGIN * BRAIN_WINDOW[1] / 255)
    out = brain_hu
    out[lo_sat] = np.minimum(bone_hu[lo_sat], lo_edge)
    out[hi_sat] = np.maximum(bone_hu[hi_sat], hi_edge)
    return out
