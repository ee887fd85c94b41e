#!/usr/bin/env python3
"""The Python reference for bench/preprocess.ts: decode -> HU -> windows -> resize, as the RSNA 2019
seeds' pipelines do it (pydicom `dcmread` + `pixel_array`, `correct_dcm`, numpy windowing), and
with the same algorithm as server/dicom/tensor.ts: window first at full resolution in float32, then
resize (an integer area shrink is numpy's block mean, what cv2.INTER_AREA computes; other sizes use
the separable tables of models/training/preprocess.py), then normalise.

Written to be a fair, reasonably fast numpy baseline, not a straw man: vectorised, float32, no
Python loops over pixels. Run single-threaded (OMP_NUM_THREADS=1, taskset) by the Node bench.

Usage: preprocess_reference.py CONFIG_JSON   (see bench/preprocess.ts for the fields)
Prints one JSON object: {"ok": true, "seconds": [{"wall", "cpu"} per pass], "slices": n} or {"ok": false, "error"}.
"""
from __future__ import annotations

import io
import json
import sys
import time

import numpy as np
import pydicom

PADDING_HU = -1024.0


def to_hu(ds: pydicom.Dataset) -> np.ndarray:
    """Stored values -> HU in float32, with padding to air and the seeds' `correct_dcm`."""
    px = ds.pixel_array
    slope = float(getattr(ds, "RescaleSlope", 1))
    intercept = float(getattr(ds, "RescaleIntercept", 0))
    if ds.BitsStored == 12 and ds.PixelRepresentation == 0 and intercept > -100:
        px = px.astype(np.int32) + 1000
        px[px >= 4096] -= 4096
        intercept = -1000.0
    hu = px.astype(np.float32)
    if slope != 1:
        hu *= np.float32(slope)
    hu += np.float32(intercept)
    pad = getattr(ds, "PixelPaddingValue", None)
    if pad is not None:
        limit = getattr(ds, "PixelPaddingRangeLimit", pad)
        lo, hi = min(pad, limit), max(pad, limit)
        hu[(px >= lo) & (px <= hi)] = PADDING_HU
    return hu


def _taps(mode: str, src: int, dst: int) -> np.ndarray:
    """Dense [dst, src] float32 resample matrix, same tables as models/training/preprocess.py."""
    m = np.zeros((dst, src), np.float64)
    if mode == "area":
        for o in range(dst):
            a, b = o * src, (o + 1) * src
            for i in range(a // dst, -(-b // dst)):
                overlap = min(b, (i + 1) * dst) - max(a, i * dst)
                if overlap > 0:
                    m[o, i] += overlap / src
    else:
        scale = src / dst
        for o in range(dst):
            s = min(max((o + 0.5) * scale - 0.5, 0.0), src - 1.0)
            i0 = int(np.floor(s))
            w1 = s - i0
            m[o, i0] += 1 - w1
            if w1 > 0:
                m[o, i0 + 1] += w1
    return m.astype(np.float32)


class Preprocessor:
    def __init__(self, cfg: dict) -> None:
        self.lin = [(np.float32(c - w / 2), np.float32(1.0 / w)) for c, w in cfg["windows"]]
        self.height, self.width, self.mode = cfg["height"], cfg["width"], cfg["resize"]
        self.inv_std = [1.0 / s for s in cfg["std"]]
        self.bias = [-m / s for m, s in zip(cfg["mean"], cfg["std"])]
        self._mats: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    def resize(self, u: np.ndarray) -> np.ndarray:
        rows, cols = u.shape
        if (rows, cols) == (self.height, self.width):
            return u
        fy, fx = rows // self.height, cols // self.width
        if self.mode == "area" and fy * self.height == rows and fx * self.width == cols:
            return u.reshape(self.height, fy, self.width, fx).mean(axis=(1, 3), dtype=np.float32)
        if (rows, cols) not in self._mats:
            self._mats[(rows, cols)] = (_taps(self.mode, rows, self.height), _taps(self.mode, cols, self.width))
        my, mx = self._mats[(rows, cols)]
        return my @ (u @ mx.T)

    def tensor(self, data: bytes) -> np.ndarray:
        hu = to_hu(pydicom.dcmread(io.BytesIO(data)))
        out = np.empty((len(self.lin), self.height, self.width), np.float32)
        for c, (lower, inv) in enumerate(self.lin):
            u = (hu - lower) * inv
            np.clip(u, 0.0, 1.0, out=u)
            r = self.resize(u)
            if self.inv_std[c] != 1.0 or self.bias[c] != 0.0:
                r = r * np.float32(self.inv_std[c]) + np.float32(self.bias[c])
            out[c] = r
        return out


def main() -> None:
    cfg = json.loads(sys.argv[1])
    blobs = []
    for path in cfg["files"]:
        with open(path, "rb") as f:
            blobs.append(f.read())
    pre = Preprocessor(cfg)
    try:
        first = pre.tensor(blobs[0])
    except Exception as err:  # e.g. no JPEG-LS handler for pydicom: report, do not crash the bench
        message = str(err)
        if "missing required dependencies" in message:
            message = "pydicom has no decoder for this transfer syntax here (needs GDCM, CharPyLS or pylibjpeg)"
        print(json.dumps({"ok": False, "error": message.splitlines()[0][:160]}))
        return
    if cfg.get("dump"):
        first.astype("<f4").tofile(cfg["dump"])
    for _ in range(cfg["warmup"]):
        for b in blobs:
            pre.tensor(b)
    seconds = []
    for _ in range(cfg["passes"]):
        t0, c0 = time.perf_counter(), time.process_time()
        for b in blobs:
            pre.tensor(b)
        seconds.append({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0})
    print(json.dumps({"ok": True, "seconds": seconds, "slices": len(blobs)}))


if __name__ == "__main__":
    main()
