"""A seed ensemble of ICH-CNN: several runs of train.py on the SAME patient folds (--fold-seed),
differing only in initialisation and augmentation order. Small data (66 patients) makes a single
run's ranking noisy (fold AUCs 0.71-0.95); averaging the members' logits is the cheapest variance
reduction there is, and it keeps the out-of-fold claim honest: member k of every seed saw the same
training patients, so the average of their out-of-fold predictions is still out of fold.

  /usr/bin/python3 models/training/ensemble.py --data ../shared/data/ct-ich \
      --runs /tmp/ich-ens-2025,/tmp/ich-ens-2026 --oof-csv models/training/ich-cnn-1.0.0-oof-predictions.csv \
      --out /tmp/ich-ens

Each run folder holds oof.npy (and final.pt for the export). --oof-csv adds a member whose only
trace is an oof-predictions.csv (the shipped 1.0.0 run: seed 2024, fold seed 2024). Writes to --out:
oof.npy (the ensemble's, mean of logits), cv-0-1-2-3-4.json (per-fold and pooled metrics, foldOf),
members.json (which runs; the export reads it), and prints single-member vs ensemble figures.
"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np

from data import build_cache, patient_folds
from metrics import sens_spec, study_auc, summarise, threshold_for_sensitivity

EPS = 1e-6


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p.astype(np.float64), EPS, 1 - EPS)
    return np.log(p / (1 - p))


def mean_of_logits(members: list[np.ndarray]) -> np.ndarray:
    z = np.mean([logit(m) for m in members], axis=0)
    return (1 / (1 + np.exp(-z))).astype(np.float32)


def read_oof_csv(path: str, patient: np.ndarray, sl: np.ndarray) -> np.ndarray:
    rows = {}
    with open(path) as f:
        next(f)
        for line in f:
            c = line.strip().split(",")
            rows[(int(c[0]), int(c[1]))] = [float(v) for v in c[2:8]]
    return np.array([rows[(int(p), int(s))] for p, s in zip(patient, sl)], np.float32)


def study_point(p_any: np.ndarray, y_any: np.ndarray, patient: np.ndarray, sens: float = 0.95) -> dict:
    """Study score = max over slices; the threshold keeping study sensitivity >= sens, and what it costs."""
    pats = np.unique(patient)
    ys = np.array([y_any[patient == q].max() for q in pats])
    ss = np.array([p_any[patient == q].max() for q in pats])
    t = threshold_for_sensitivity(ss, ys, sens)
    se, sp = sens_spec(ss, ys, t)
    return {"threshold": round(t, 4), "sensitivity": round(se, 3), "specificity": round(sp, 3),
            "normalsFlagged": f"{int(round((1 - sp) * (ys == 0).sum()))}/{int((ys == 0).sum())}"}


def describe(name: str, p: np.ndarray, y: np.ndarray, patient: np.ndarray) -> dict:
    s = summarise(p, y, patient)
    out = {"member": name, "sliceAucAny": round(s["auc"]["any"], 4), "wll": round(s["weightedLogLoss"], 4),
           "studyAucMax": round(s["studyAuc"]["max"], 4), "studyAucTop3": round(s["studyAuc"]["top3"], 4),
           "at95": study_point(p[:, 0], y[:, 0], patient)}
    print(json.dumps(out))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--cache", default="/tmp/ich-cache")
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--runs", required=True, help="comma list of train.py --mode cv output folders (same --fold-seed)")
    ap.add_argument("--oof-csv", default="", help="an extra member given only by its oof-predictions.csv")
    ap.add_argument("--fold-seed", type=int, default=2024)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    cache = build_cache(args.data, os.path.join(args.cache, f"ctich-{args.size}.npz"), args.size)
    y, patient = cache["y"], cache["patient"]
    members, names = [], []
    if args.oof_csv:
        members.append(read_oof_csv(args.oof_csv, patient, cache["slice"]))
        names.append(args.oof_csv)
    for r in [r for r in args.runs.split(",") if r]:
        oof = np.load(os.path.join(r, "oof.npy"))
        if np.isnan(oof).any():
            raise SystemExit(f"{r}: out-of-fold predictions incomplete (a fold has not finished)")
        members.append(oof)
        names.append(r)
    singles = [describe(n, m, y, patient) for n, m in zip(names, members)]
    ens = mean_of_logits(members)
    ensemble = describe("ensemble (mean of logits)", ens, y, patient)
    folds = patient_folds(patient, y[:, 0], args.folds, args.fold_seed)
    per_fold = {int(k): summarise(ens[folds == k], y[folds == k], patient[folds == k]) for k in range(args.folds)}
    os.makedirs(args.out, exist_ok=True)
    np.save(os.path.join(args.out, "oof.npy"), ens)
    json.dump({"folds": per_fold, "foldOf": {int(p): int(f) for p, f in zip(patient, folds)},
               "oof": summarise(ens, y, patient)}, open(os.path.join(args.out, "cv-0-1-2-3-4.json"), "w"), indent=1)
    json.dump({"members": names, "foldSeed": args.fold_seed, "singles": singles, "ensemble": ensemble},
              open(os.path.join(args.out, "members.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
