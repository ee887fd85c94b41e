"""Metrics shared by training and the model card: per-label AUC, RSNA weighted log loss, study
aggregation (max, top-k mean, noisy-OR, mean), operating points."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

LABELS = ("any", "epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural")
WEIGHTS = np.array([2.0, 1, 1, 1, 1, 1])
EPS = 1e-7


def auc(y: np.ndarray, p: np.ndarray):
    if y.min() == y.max():
        return None
    return float(roc_auc_score(y, p))


def weighted_log_loss(p: np.ndarray, y: np.ndarray) -> float:
    """RSNA 2019: per slice, sum_l w_l * BCE_l / sum_l w_l, averaged over slices ("any" weighs 2)."""
    p = np.clip(p.astype(np.float64), EPS, 1 - EPS)
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    return float(((bce * WEIGHTS).sum(1) / WEIGHTS.sum()).mean())


def aggregate(p_any: np.ndarray, how: str) -> float:
    """One study score from its slices' P(any)."""
    if how == "max":
        return float(p_any.max())
    if how == "mean":
        return float(p_any.mean())
    if how.startswith("top"):
        k = int(how[3:])
        return float(np.sort(p_any)[::-1][:k].mean())
    if how == "noisyor":
        return float(1 - np.exp(np.log1p(-np.clip(p_any, 0, 1 - 1e-7)).sum()))
    raise ValueError(how)


AGGREGATIONS = ("max", "top2", "top3", "top5", "noisyor", "mean")


def study_auc(p_any: np.ndarray, y_any: np.ndarray, patient: np.ndarray) -> dict:
    pats = np.unique(patient)
    ys = np.array([y_any[patient == q].max() for q in pats])
    return {how: auc(ys, np.array([aggregate(p_any[patient == q], how) for q in pats])) for how in AGGREGATIONS}


def threshold_for_sensitivity(p: np.ndarray, y: np.ndarray, sens: float) -> float:
    """Largest threshold whose sensitivity (p >= t) is at least `sens`."""
    pos = np.sort(p[y > 0])
    if len(pos) == 0:
        return 0.5
    k = int(np.floor((1 - sens) * len(pos) + 1e-9))  # positives we may miss
    return float(pos[k])


def sens_spec(p: np.ndarray, y: np.ndarray, t: float) -> tuple:
    pos, neg = y > 0, y == 0
    se = float((p[pos] >= t).mean()) if pos.any() else None
    sp = float((p[neg] < t).mean()) if neg.any() else None
    return se, sp


def summarise(p: np.ndarray, y: np.ndarray, patient: np.ndarray) -> dict:
    return {
        "slices": int(len(y)),
        "studies": int(len(np.unique(patient))),
        "auc": {l: auc(y[:, j], p[:, j]) for j, l in enumerate(LABELS)},
        "weightedLogLoss": weighted_log_loss(p, y),
        "studyAuc": study_auc(p[:, 0], y[:, 0], patient),
    }
