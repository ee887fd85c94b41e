"""Markdown tables for the model card from a CV run (per fold, out-of-fold, aggregations,
operating points, patient-bootstrap intervals).

  /usr/bin/python3 models/training/report.py --run /tmp/ich-run --manifest models/ich-cnn-1.0.0.json
"""
from __future__ import annotations

import argparse
import csv
import json
import os

import numpy as np

from metrics import AGGREGATIONS, LABELS, aggregate, auc, sens_spec, summarise


def fmt(v) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", default="/tmp/ich-run")
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--oof-csv", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "ich-cnn-1.0.0-oof-predictions.csv"))
    args = ap.parse_args()
    rows = list(csv.DictReader(open(args.oof_csv)))
    patient = np.array([int(r["patient"]) for r in rows])
    p = np.array([[float(r[f"p_{l}"]) for l in LABELS] for r in rows])
    y = np.array([[int(r[l]) for l in LABELS] for r in rows], np.float32)
    cv = json.load(open(os.path.join(args.run, "cv-0-1-2-3-4.json")))
    man = json.load(open(args.manifest))
    fold_of = np.array([cv["foldOf"][str(q)] for q in patient])

    print("### Per fold (fold models on their held-out patients)\n")
    print("| fold | patients (with bleed) | slices | AUC any | " + " | ".join(f"AUC {l}" for l in LABELS[1:]) + " | wLogLoss | study AUC max | study AUC top3 |")
    print("|---" * 12 + "|")
    for k in range(5):
        m = fold_of == k
        s = summarise(p[m], y[m], patient[m])
        pats = np.unique(patient[m])
        npos = sum(y[patient == q, 0].max() > 0 for q in pats)
        print(f"| {k} | {len(pats)} ({npos}) | {m.sum()} | " + " | ".join(fmt(s["auc"][l]) for l in LABELS) +
              f" | {s['weightedLogLoss']:.3f} | {fmt(s['studyAuc']['max'])} | {fmt(s['studyAuc']['top3'])} |")
    s = summarise(p, y, patient)
    print(f"| **OOF** | 66 (29) | {len(y)} | " + " | ".join(f"**{fmt(s['auc'][l])}**" for l in LABELS) +
          f" | **{s['weightedLogLoss']:.3f}** | **{fmt(s['studyAuc']['max'])}** | **{fmt(s['studyAuc']['top3'])}** |")

    # patient bootstrap
    rng = np.random.RandomState(0)
    pats = np.unique(patient)
    idx_of = {q: np.where(patient == q)[0] for q in pats}
    boots = {"slice": [], **{a: [] for a in AGGREGATIONS}}
    for _ in range(1000):
        qs = rng.choice(pats, len(pats), replace=True)
        ii = np.concatenate([idx_of[q] for q in qs])
        a = auc(y[ii, 0], p[ii, 0])
        if a is not None:
            boots["slice"].append(a)
        ys = np.array([y[idx_of[q], 0].max() for q in qs])
        if ys.min() != ys.max():
            for agg in AGGREGATIONS:
                boots[agg].append(auc(ys, np.array([aggregate(p[idx_of[q], 0], agg) for q in qs])))
    ci = {k: (np.percentile(v, 2.5), np.percentile(v, 97.5)) for k, v in boots.items()}
    print(f"\nSlice AUC(any) out-of-fold: {fmt(s['auc']['any'])} (95% patient-bootstrap interval {ci['slice'][0]:.3f}-{ci['slice'][1]:.3f})\n")
    print("### Study-level AUC(any), out-of-fold, by aggregation of the slices' P(any)\n")
    print("| aggregation | study AUC(any) | 95% patient-bootstrap interval |")
    print("|---|---|---|")
    for agg in AGGREGATIONS:
        print(f"| {agg} | {fmt(s['studyAuc'][agg])} | {ci[agg][0]:.3f}-{ci[agg][1]:.3f} |")

    print("\n### Operating points (thresholds chosen on the out-of-fold predictions)\n")
    print("| label | slice positives | target sensitivity | threshold | OOF sensitivity | OOF specificity |")
    print("|---|---|---|---|---|---|")
    ops = man["training"]["validation"]["operatingPoints"]
    for j, l in enumerate(LABELS):
        o = man["operatingPoints"][l]
        se, sp = sens_spec(p[:, j], y[:, j], o["threshold"])
        print(f"| {l} | {int(y[:, j].sum())} | {ops[l]['targetSensitivity']:.2f} | {o['threshold']:.4f} | {fmt(se)} | {fmt(sp)} |")
    # study-level operating point for any with the chosen aggregation
    agg = man["training"]["studyAggregation"]
    ys = np.array([y[idx_of[q], 0].max() for q in pats])
    ss = np.array([aggregate(p[idx_of[q], 0], agg) for q in pats])
    t = man["operatingPoints"]["any"]["threshold"]
    print(f"\nStudy level with {agg} and the 'any' threshold {t:.4f}: sensitivity {((ss >= t) & (ys > 0)).sum()}/{int(ys.sum())}, "
          f"specificity {((ss < t) & (ys == 0)).sum()}/{int((ys == 0).sum())}")


if __name__ == "__main__":
    main()
