"""The model's input, computed exactly as the TypeScript pipeline does (server/dicom/tensor.ts).

buildTensor(hu, spec): for every channel c, WINDOW FIRST at full resolution,
    u = clamp((hu - (center - width/2)) / width, 0, 1),
then resample to spec.inputSize with a separable filter (horizontal pass, then vertical pass), then
normalise (u - mean[c]) / std[c]. Resize tables are the same as server/dicom/resize.ts:
  - area: exact box-filter overlap (OpenCV INTER_AREA), weights = overlap / (src/dst);
  - bilinear: align_corners=false, source coordinate clamped to the edge, no antialiasing.
The golden test (test/golden/preprocess-golden.test.ts) holds the two implementations together.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class Window:
    name: str
    center: float
    width: float


@dataclass(frozen=True)
class PreprocessSpec:
    """Mirror of lib/model-manifest.ts PreprocessSpec."""

    windows: tuple[Window, ...]
    height: int
    width: int
    resize: str = "area"
    mean: tuple[float, ...] = field(default=())
    std: tuple[float, ...] = field(default=())

    def __post_init__(self) -> None:
        n = len(self.windows)
        if not self.mean:
            object.__setattr__(self, "mean", (0.0,) * n)
        if not self.std:
            object.__setattr__(self, "std", (1.0,) * n)
        if len(self.mean) != n or len(self.std) != n:
            raise ValueError(f"normalisation needs {n} mean/std values, one per window")
        if self.resize not in ("area", "bilinear"):
            raise ValueError(f"unknown resize {self.resize}")

    def to_manifest(self) -> dict:
        """The JSON shape of lib/model-manifest.ts `preprocess`."""
        return {
            "windows": [{"name": w.name, "center": w.center, "width": w.width} for w in self.windows],
            "inputSize": {"height": self.height, "width": self.width},
            "resize": self.resize,
            "normalisation": {"mean": list(self.mean), "std": list(self.std)},
        }


def _area_taps(src: int, dst: int) -> list[list[tuple[int, float]]]:
    taps = []
    for o in range(dst):
        a, b = o * src, (o + 1) * src
        first, last = a // dst, -(-b // dst) - 1
        row = []
        for i in range(first, last + 1):
            overlap = min(b, (i + 1) * dst) - max(a, i * dst)
            if overlap > 0:
                row.append((i, overlap / src))
        taps.append(row)
    return taps


def _bilinear_taps(src: int, dst: int) -> list[list[tuple[int, float]]]:
    taps = []
    scale = src / dst
    for o in range(dst):
        s = min(max((o + 0.5) * scale - 0.5, 0.0), src - 1.0)
        i0 = int(np.floor(s))
        w1 = s - i0
        taps.append([(i0, 1 - w1), (i0 + 1, w1)] if w1 > 0 else [(i0, 1.0)])
    return taps


@lru_cache(maxsize=64)
def resample_matrix(mode: str, src: int, dst: int) -> np.ndarray:
    """Dense [dst, src] float64 matrix of the TS resample table (rows sum to 1)."""
    taps = _area_taps(src, dst) if mode == "area" else _bilinear_taps(src, dst)
    m = np.zeros((dst, src), np.float64)
    for o, row in enumerate(taps):
        for i, w in row:
            m[o, i] += w
    m.setflags(write=False)
    return m


def window_unit(hu: np.ndarray, w: Window) -> np.ndarray:
    """clamp((hu - lower) * invWidth, 0, 1) in float32, as server/dicom/windows.ts windowRow."""
    lower = np.float32(w.center - w.width / 2)
    inv = np.float32(1.0 / w.width)
    return np.clip((hu.astype(np.float32) - lower) * inv, 0.0, 1.0).astype(np.float32)


def build_tensor(hu: np.ndarray, spec: PreprocessSpec) -> np.ndarray:
    """CHW float32 model input for one HU slice (rows x cols), identical to TS buildTensor."""
    if hu.ndim != 2:
        raise ValueError(f"expected a 2-D HU image, got shape {hu.shape}")
    rows, cols = hu.shape
    if (rows, cols) == (spec.height, spec.width):
        # TS resize() copies when sizes match; buildTensor's tables are then the identity.
        pass
    mx = resample_matrix(spec.resize, cols, spec.width)
    my = resample_matrix(spec.resize, rows, spec.height)
    out = np.empty((len(spec.windows), spec.height, spec.width), np.float32)
    for c, w in enumerate(spec.windows):
        u = window_unit(hu, w).astype(np.float64)
        # TS keeps the horizontal pass in a float32 buffer; round there too.
        h = (u @ mx.T).astype(np.float32).astype(np.float64)
        v = my @ h
        inv_std = 1.0 / spec.std[c]
        out[c] = (v * inv_std + (-spec.mean[c] * inv_std)).astype(np.float32)
    return out


# The project's default three windows (lib/model-manifest.ts DEFAULT_PREPROCESS).
DEFAULT_WINDOWS = (
    Window("brain", 40.0, 80.0),
    Window("subdural", 80.0, 200.0),
    Window("bone", 600.0, 2800.0),
)
