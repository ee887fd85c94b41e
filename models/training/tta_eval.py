"""Does left-right flip test-time augmentation help? Out of fold, on the fold models of a cv run:
each fold model predicts its own held-out patients on the exact pipeline tensors, as is and
mirrored (the mirrored map flipped back), and the two are averaged in logit space.

  /usr/bin/python3 models/training/tta_eval.py --data ../shared/data/ct-ich --run /tmp/ich-ens-2025
"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np
import torch

from data import build_cache, neighbours, patient_folds
from ensemble import describe
from model import IchCnn
from train import CHANNELS, exact_batch


@torch.no_grad()
def predict_logits(net: torch.nn.Module, cache: dict, idx: np.ndarray, prev, nxt, flip: bool) -> np.ndarray:
    out = []
    for i in range(0, len(idx), 64):
        x = exact_batch(cache, idx[i:i + 64], prev, nxt)
        out.append(net(x.flip(3) if flip else x)[0].numpy())
    return np.concatenate(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--cache", default="/tmp/ich-cache")
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--run", required=True)
    ap.add_argument("--fold-seed", type=int, default=2024)
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(1)
    cache = build_cache(args.data, os.path.join(args.cache, f"ctich-{args.size}.npz"), args.size)
    prev, nxt = neighbours(cache["patient"], cache["slice"])
    y, patient = cache["y"], cache["patient"]
    folds = patient_folds(patient, y[:, 0], args.folds, args.fold_seed)
    plain = np.zeros((len(y), 6), np.float64)
    both = np.zeros((len(y), 6), np.float64)
    for k in range(args.folds):
        net = IchCnn(len(CHANNELS))
        net.load_state_dict(torch.load(os.path.join(args.run, f"fold{k}.pt")))
        net.eval()
        va = np.where(folds == k)[0]
        a = predict_logits(net, cache, va, prev, nxt, False)
        b = predict_logits(net, cache, va, prev, nxt, True)
        plain[va], both[va] = a, (a + b) / 2
    sig = lambda z: (1 / (1 + np.exp(-z))).astype(np.float32)
    res = {"plain": describe("plain", sig(plain), y, patient), "flipTta": describe("flip TTA", sig(both), y, patient)}
    json.dump(res, open(os.path.join(args.run, "tta.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
