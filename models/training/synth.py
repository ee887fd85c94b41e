"""Bleeds synthesised into real bleed-free CT slices, with their masks (training supervision only).

Why: trained on CT-ICH labels alone the network did not respond to hyperdense blood at all (a
probe brightening a patch inside the brain left every output unchanged) and read fracture cues
instead. Painting bleeds of each subtype into real normal slices, with a per-pixel target, teaches
it where blood is. Validation never sees a painted slice.

Everything works on an HU image (any resolution) with its pixel size in mm:
  anatomy(hu, mm)            -> the intracranial region, distance to the inner table, CSF
  plan_lesion(anat, kind, r) -> the lesion's parameters (drawn once per 3D lesion)
  paint(hu, anat, plan, scale, r) -> (painted HU, alpha in [0,1]) for one slice; neighbours reuse
                                the plan with a smaller `scale`, so a lesion spans adjacent slices.
Shapes: epidural a lens against the inner table; subdural a long crescent along the convexity;
intraparenchymal an irregular clot with a hypodense oedema rim; intraventricular a cast or a fluid
level in the slice's own ventricles; subarachnoid blood filling CSF in sulci or cisterns. Blood
50-90 HU (settings are arguments, so held-out checks can use ranges training never saw), with
smoothed texture and partial-volume edges (alpha blurred by ~0.6 mm).
What it does not do: mass effect, midline shift, hydrocephalus, beam hardening, acute-on-chronic
mixtures, or bleeds outside the slice's own intracranial region.
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

KINDS = ("epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural")
LABEL_INDEX = {"epidural": 1, "intraparenchymal": 2, "intraventricular": 3, "subarachnoid": 4, "subdural": 5}

# Training settings. The held-out check (evaluate_painted in train.py) uses other ranges.
TRAIN_SETTINGS = {"blood_hu": (50.0, 90.0), "texture_hu": (2.0, 6.0), "size": (0.7, 1.3)}


def anatomy(hu: np.ndarray, mm: float) -> dict | None:
    """The slice's intracranial region, or None where there is no usable brain (skull base, vertex)."""
    skull = hu > 250
    r = max(1, int(round(3.0 / mm)))
    closed = ndi.binary_closing(skull, structure=np.ones((3, 3)), iterations=r)
    inside = ndi.binary_fill_holes(closed) & ~closed
    lab, n = ndi.label(inside)
    if n == 0:
        return None
    sizes = ndi.sum(inside, lab, np.arange(1, n + 1))
    inside = lab == (int(np.argmax(sizes)) + 1)
    area_cm2 = inside.sum() * mm * mm / 100.0
    soft = inside & (hu > -20) & (hu < 100)
    if area_cm2 < 40 or soft.sum() < 0.6 * inside.sum():
        return None
    dist = (ndi.distance_transform_edt(inside) * mm).astype(np.float32)
    csf = inside & (hu > -5) & (hu < 22)
    rows, cols = np.nonzero(inside)
    return {"inside": inside, "soft": soft, "dist": dist, "csf": csf, "mm": mm,
            "centre": (float(rows.mean()), float(cols.mean())), "radius_mm": float(np.sqrt(inside.sum() / np.pi) * mm)}


def plan_lesion(anat: dict, kind: str, rng: np.random.RandomState, settings: dict = TRAIN_SETTINGS) -> dict | None:
    """Parameters of one lesion (positions as fractions of the head, so a neighbour slice can reuse them)."""
    s = rng.uniform(*settings["size"])
    cy, cx = anat["centre"]
    plan = {"kind": kind, "blood": rng.uniform(*settings["blood_hu"]), "texture": rng.uniform(*settings["texture_hu"]),
            "seed": int(rng.randint(1 << 30)), "centre": (cy, cx)}
    edge = np.argwhere(anat["inside"] & (anat["dist"] < 1.5))
    if kind in ("epidural", "subdural"):
        if len(edge) == 0:
            return None
        p = edge[rng.randint(len(edge))]
        plan["anchor"] = (float(p[0] - cy), float(p[1] - cx))  # relative to the head centre, pixels
        if kind == "epidural":
            plan.update(half_len=rng.uniform(14, 32) * s, thick=rng.uniform(4, 13) * s, power=2.0)
        else:
            plan.update(half_len=rng.uniform(35, 75) * s, thick=rng.uniform(2, 9) * s, power=4.0)
    elif kind == "intraparenchymal":
        deep = np.argwhere(anat["soft"] & (anat["dist"] > 14) & ~anat["csf"])
        if len(deep) == 0:
            return None
        p = deep[rng.randint(len(deep))]
        plan.update(anchor=(float(p[0] - cy), float(p[1] - cx)), r0=rng.uniform(4, 16) * s, rim=rng.uniform(1.5, 5),
                    oedema=rng.uniform(5, 12), harm=rng.uniform(-0.25, 0.25, (4, 2)))
    elif kind == "intraventricular":
        plan.update(cast=bool(rng.rand() < 0.4), level=rng.uniform(0.3, 0.7))
    elif kind == "subarachnoid":
        plan.update(cistern=bool(rng.rand() < 0.35), region=rng.uniform(15, 40) * s)
        if not plan["cistern"]:
            if len(edge) == 0:
                return None
            p = edge[rng.randint(len(edge))]
            plan["anchor"] = (float(p[0] - cy), float(p[1] - cx))
        plan["blood"] = min(plan["blood"], rng.uniform(48, 72))  # thin blood in CSF: partial volume
    else:
        raise ValueError(kind)
    return plan


def _region(anat: dict, plan: dict, scale: float) -> np.ndarray:
    """Boolean lesion region on this slice (before partial volume)."""
    mm, inside, dist = anat["mm"], anat["inside"], anat["dist"]
    cy, cx = anat["centre"]
    h, w = inside.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    kind = plan["kind"]
    if kind in ("epidural", "subdural"):
        ay, ax = cy + plan["anchor"][0], cx + plan["anchor"][1]
        r = np.hypot(yy - ay, xx - ax) * mm
        prof = np.clip(1 - (r / (plan["half_len"] * scale)) ** plan["power"], 0, None) ** (0.5 if kind == "epidural" else 0.3)
        return inside & (dist < plan["thick"] * scale * prof)
    if kind == "intraparenchymal":
        ay, ax = cy + plan["anchor"][0], cx + plan["anchor"][1]
        ang = np.arctan2(yy - ay, xx - ax)
        rr = plan["r0"] * scale * (1 + sum(a * np.cos((k + 2) * ang) + b * np.sin((k + 2) * ang) for k, (a, b) in enumerate(plan["harm"])))
        return inside & (np.hypot(yy - ay, xx - ax) * mm < rr) & (dist > 3)
    if kind == "intraventricular":
        deep = anat["csf"] & (dist > 0.25 * anat["radius_mm"])
        lab, n = ndi.label(deep)
        if n == 0:
            return np.zeros_like(inside)
        sizes = ndi.sum(deep, lab, np.arange(1, n + 1))
        keep = np.isin(lab, 1 + np.nonzero(sizes * mm * mm > 25)[0])
        if not keep.any():
            return np.zeros_like(inside)
        if plan["cast"]:
            region = ndi.binary_erosion(keep, iterations=1) | keep & (scale > 0.8)
        else:
            rows = np.nonzero(keep)[0]
            cut = np.quantile(rows, 1 - plan["level"] * scale)
            region = keep & (yy >= cut)  # dependent layering: posterior (larger row) in a supine patient
        return region
    # subarachnoid
    csf = anat["csf"]
    if plan["cistern"]:
        region = csf & (np.hypot(yy - cy, xx - cx) * mm < plan["region"] * scale) & (dist > 8)
    else:
        ay, ax = cy + plan["anchor"][0], cx + plan["anchor"][1]
        region = csf & (np.hypot(yy - ay, xx - ax) * mm < plan["region"] * scale) & (dist < 22)
    return region


def paint(hu: np.ndarray, anat: dict, plan: dict, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Paint one lesion into a copy of `hu`; returns (HU, alpha) with alpha the partial-volume mask."""
    region = _region(anat, plan, scale)
    if region.sum() < 3:
        return hu, np.zeros(hu.shape, np.float32)
    mm = anat["mm"]
    rng = np.random.RandomState(plan["seed"])
    alpha = ndi.gaussian_filter(region.astype(np.float32), 0.6 / mm)
    alpha = np.where(anat["inside"], np.clip(alpha * 1.15, 0, 1), 0).astype(np.float32)
    tex = ndi.gaussian_filter(rng.randn(*hu.shape).astype(np.float32), 1.2 / mm)
    tex *= plan["texture"] / (tex.std() + 1e-6)
    blood = plan["blood"] + tex
    out = hu.astype(np.float32).copy()
    if plan["kind"] == "intraparenchymal":
        rim = ndi.binary_dilation(region, iterations=max(1, int(round(plan["rim"] / mm)))) & ~region & anat["soft"]
        ra = ndi.gaussian_filter(rim.astype(np.float32), 0.8 / mm)
        out -= ra * plan["oedema"]
    out = out * (1 - alpha) + blood * alpha
    return out, alpha
