"""CT-ICH loading and the preprocessed cache (never written into the repository).

Reads <data>/labels.csv (columns by NAME: its order differs from lib/labels.ts), <data>/brain/PPP_SS.jpg
and <data>/bone/PPP_SS.jpg, reconstructs approximate HU (hu_reconstruction.py) and stores, per slice:
  - `exact`  [3, S, S] float32: brain/subdural/bone windows via preprocess.build_tensor, i.e. exactly
             what the TypeScript pipeline gives the model (validation, OOF, parity);
  - `hu2`    [2S, 2S] float16: HU area-resampled to twice the input size, the source for on-the-fly
             augmentation (HU intensity changes, noise, blur/sharpen, geometry) in train.py.
"""
from __future__ import annotations

import csv
import os
import time

import numpy as np
from PIL import Image

from hu_reconstruction import reconstruct_hu
from preprocess import DEFAULT_WINDOWS, PreprocessSpec, build_tensor, resample_matrix

LABELS = ("any", "epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural")


def read_labels(data_dir: str) -> list[dict]:
    """Rows sorted by (patient, slice), with labels mapped BY NAME into LABELS order."""
    with open(os.path.join(data_dir, "labels.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        out.append({
            "patient": int(r["patient"]),
            "slice": int(r["slice"]),
            "y": np.array([int(r[name]) for name in LABELS], np.float32),
        })
    out.sort(key=lambda r: (r["patient"], r["slice"]))
    return out


def load_hu(data_dir: str, patient: int, sl: int) -> np.ndarray:
    name = f"{patient:03d}_{sl:02d}.jpg"
    brain = np.asarray(Image.open(os.path.join(data_dir, "brain", name)).convert("L"))
    bone_path = os.path.join(data_dir, "bone", name)
    bone = np.asarray(Image.open(bone_path).convert("L")) if os.path.exists(bone_path) else None
    return reconstruct_hu(brain, bone)


def build_cache(data_dir: str, cache_path: str, size: int) -> dict:
    if os.path.exists(cache_path):
        z = np.load(cache_path)
        return {k: z[k] for k in z.files}
    rows = read_labels(data_dir)
    spec = PreprocessSpec(DEFAULT_WINDOWS, size, size, "area")
    n = len(rows)
    exact = np.empty((n, 3, size, size), np.float32)
    hu2 = np.empty((n, 2 * size, 2 * size), np.float16)
    t = time.time()
    for i, r in enumerate(rows):
        hu = load_hu(data_dir, r["patient"], r["slice"])
        exact[i] = build_tensor(hu, spec)
        my = resample_matrix("area", hu.shape[0], 2 * size)
        mx = resample_matrix("area", hu.shape[1], 2 * size)
        hu2[i] = np.clip(my @ hu.astype(np.float64) @ mx.T, -1024, 3071).astype(np.float16)
        if i % 200 == 0:
            print(f"cache {i}/{n} {time.time() - t:.0f}s", flush=True)
    cache = {
        "exact": exact,
        "hu2": hu2,
        "patient": np.array([r["patient"] for r in rows], np.int32),
        "slice": np.array([r["slice"] for r in rows], np.int32),
        "y": np.stack([r["y"] for r in rows]),
    }
    os.makedirs(os.path.dirname(cache_path), exist_ok=True)
    np.savez(cache_path, **cache)
    return cache


def neighbours(patient: np.ndarray, sl: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the previous / next slice of the same patient; the slice itself at either end."""
    n = len(patient)
    key = {(int(p), int(s)): i for i, (p, s) in enumerate(zip(patient, sl))}
    prev = np.array([key.get((int(patient[i]), int(sl[i]) - 1), i) for i in range(n)])
    nxt = np.array([key.get((int(patient[i]), int(sl[i]) + 1), i) for i in range(n)])
    return prev, nxt


def patient_folds(patient: np.ndarray, y_any: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Fold id per slice. Patients (never slices) are dealt into k folds, stratified on whether
    the patient has any bleed, in a seeded random order."""
    rng = np.random.RandomState(seed)
    pats = np.unique(patient)
    pos = [p for p in pats if y_any[patient == p].max() > 0]
    neg = [p for p in pats if y_any[patient == p].max() == 0]
    rng.shuffle(pos)
    rng.shuffle(neg)
    fold_of = {}
    for j, p in enumerate(pos + neg):
        fold_of[p] = j % k
    return np.array([fold_of[p] for p in patient], np.int32)
