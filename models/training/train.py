"""Train ICH-CNN on CT-ICH: patient-level k-fold CV (out-of-fold predictions + metrics) and/or a
final model on all patients.

  nice -n 10 /usr/bin/python3 models/training/train.py --data ../shared/data/ct-ich \
      --cache /tmp/ich-cache --mode cv --folds 5 --epochs 6 --seed 2024 --out /tmp/ich-run
  nice -n 10 /usr/bin/python3 models/training/train.py --data ../shared/data/ct-ich \
      --cache /tmp/ich-cache --mode final --epochs 6 --seed 2024 --out /tmp/ich-run

Input channels (CHANNELS below): brain window of the previous slice, of this slice, of the next
slice, then subdural and bone windows of this slice. At either end of a series the missing
neighbour is the slice itself. Neighbours are swapped at random in training, so the direction in
which a series is sorted does not matter.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from data import LABELS, build_cache, neighbours, patient_folds
from metrics import summarise
from model import IchCnn

# (window name, centre, width, slice offset); exact-cache channel of each window: brain 0, subdural 1, bone 2.
CHANNELS = (("brain", 40.0, 80.0, -1), ("brain", 40.0, 80.0, 0), ("brain", 40.0, 80.0, 1),
            ("subdural", 80.0, 200.0, 0), ("bone", 600.0, 2800.0, 0))
EXACT_CH = {"brain": 0, "subdural": 1, "bone": 2}
LOSS_W = torch.tensor([2.0, 1, 1, 1, 1, 1])


def exact_batch(cache: dict, idx: np.ndarray, prev: np.ndarray, nxt: np.ndarray) -> torch.Tensor:
    """The model input exactly as the TypeScript pipeline builds it (neighbours stacked)."""
    ex = cache["exact"]
    chans = []
    for name, _, _, off in CHANNELS:
        src = prev[idx] if off < 0 else nxt[idx] if off > 0 else idx
        chans.append(ex[src, EXACT_CH[name]])
    return torch.from_numpy(np.stack(chans, 1))


def augmented_batch(cache: dict, idx: np.ndarray, prev: np.ndarray, nxt: np.ndarray, rng: np.random.RandomState) -> torch.Tensor:
    """Augmentation. In HU at twice the input size: contrast/offset and geometry (flip, rotation,
    scale, translation; air outside). Then the windows and a 2x2 area downsample (the box filter the
    pipeline uses), then in window units at the input size: noise (HU sigma / window width, so it
    is scanner noise seen through each window), blur or sharpening (unsharp mask), and gamma."""
    b = len(idx)
    swap = rng.rand(b) < 0.5
    p, n = np.where(swap, nxt[idx], prev[idx]), np.where(swap, prev[idx], nxt[idx])
    hu2 = cache["hu2"]
    h = torch.from_numpy(np.stack([hu2[p], hu2[idx], hu2[n]], 1))  # [B,3,2S,2S] float32
    a = rng.uniform(0.92, 1.08, b).astype(np.float32)
    off = rng.uniform(-8, 8, b).astype(np.float32)
    ang = np.deg2rad(rng.uniform(-15, 15, b))
    sc = rng.uniform(0.87, 1.15, b)
    fl = np.where(rng.rand(b) < 0.5, -1.0, 1.0)
    tx, ty = rng.uniform(-0.06, 0.06, b), rng.uniform(-0.06, 0.06, b)
    theta = np.zeros((b, 2, 3), np.float32)
    theta[:, 0, 0] = np.cos(ang) / sc * fl
    theta[:, 0, 1] = -np.sin(ang) / sc
    theta[:, 1, 0] = np.sin(ang) / sc * fl
    theta[:, 1, 1] = np.cos(ang) / sc
    theta[:, 0, 2], theta[:, 1, 2] = tx, ty
    grid = F.affine_grid(torch.from_numpy(theta), list(h.shape), align_corners=False)
    h = F.grid_sample(h + 1000, grid, mode="bilinear", padding_mode="zeros", align_corners=False) - 1000
    # contrast about 40 HU and offset, folded into each window: window(a*(h-40)+40+off) exactly
    at = torch.from_numpy(a)[:, None, None]
    ot = torch.from_numpy(off)[:, None, None]
    chans, widths = [], []
    for name, c, w, o in CHANNELS:
        src = h[:, 1 + int(np.sign(o))]
        chans.append(((at * (src - 40) + 40 + ot - (c - w / 2)) * (1.0 / w)).clamp_(0, 1))
        widths.append(w)
    x = F.avg_pool2d(torch.stack(chans, 1), 2)
    sig = torch.from_numpy(rng.uniform(0, 10, b).astype(np.float32))[:, None, None, None]
    inv_w = torch.tensor([1.0 / w for w in widths])[None, :, None, None]
    # saturated pixels (air, bone) stay saturated, as they do when noise is added before windowing
    x = x + ((x > 0) & (x < 1)) * sig * inv_w * torch.randn_like(x)
    s = torch.from_numpy(rng.uniform(-1.0, 1.0, b).astype(np.float32))[:, None, None, None]
    bl = F.avg_pool2d(x, 3, 1, 1, count_include_pad=False)
    x = x + s * (x - bl)
    gamma = torch.from_numpy(np.exp(rng.uniform(-0.25, 0.25, b)).astype(np.float32))[:, None, None, None]
    return x.clamp_(0, 1).pow_(gamma)


def loss_fn(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    l = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
    return (l * LOSS_W).sum(1).mean() / LOSS_W.sum()


@torch.no_grad()
def predict(net: torch.nn.Module, cache: dict, idx: np.ndarray, prev: np.ndarray, nxt: np.ndarray, bs: int = 64) -> np.ndarray:
    net.eval()
    out = []
    for i in range(0, len(idx), bs):
        x = exact_batch(cache, idx[i:i + bs], prev, nxt)
        out.append(torch.sigmoid(net(x)[0]).numpy())
    return np.concatenate(out)


def train_one(cache: dict, tr: np.ndarray, prev: np.ndarray, nxt: np.ndarray, args, seed: int, log, val=None) -> torch.nn.Module:
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    net = IchCnn(len(CHANNELS))
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    steps_per_epoch = math.ceil(len(tr) / args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps_per_epoch * args.epochs, pct_start=0.15)
    y = torch.from_numpy(cache["y"])
    for ep in range(args.epochs):
        net.train()
        t = time.time()
        order = rng.permutation(tr)
        tot = 0.0
        for i in range(0, len(order), args.batch):
            idx = order[i:i + args.batch]
            if len(idx) < 4:
                continue
            if rng.rand() < args.p_exact:
                x = exact_batch(cache, idx, prev, nxt)
                if rng.rand() < 0.5:
                    x = x.flip(3)
            else:
                x = augmented_batch(cache, idx, prev, nxt, rng)
            logits, _ = net(x)
            loss = loss_fn(logits, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(idx)
        msg = f"epoch {ep + 1}/{args.epochs} train_loss {tot / len(tr):.4f} {time.time() - t:.0f}s"
        if val is not None and ep + 1 == args.epochs:
            p = predict(net, cache, val, prev, nxt)
            s = summarise(p, cache["y"][val], cache["patient"][val])
            msg += f" val auc_any {s['auc']['any']:.4f} wll {s['weightedLogLoss']:.4f} study_max {s['studyAuc']['max']:.4f}"
        log(msg)
    return net


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="CT-ICH folder (labels.csv, brain/, bone/)")
    ap.add_argument("--cache", default="/tmp/ich-cache")
    ap.add_argument("--out", default="/tmp/ich-run")
    ap.add_argument("--mode", choices=["cv", "final"], default="cv")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--only-folds", type=str, default="", help="comma list, for quick runs")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--p-exact", type=float, default=0.5, help="share of batches fed the exact pipeline tensors")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--fold-seed", type=int, default=None,
                    help="seed of the patient fold assignment (default: --seed); fix it to train a seed ensemble on the same folds")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    logf = open(os.path.join(args.out, f"{args.mode}.log"), "a")

    def log(m: str) -> None:
        line = f"[{time.strftime('%H:%M:%S')}] {m}"
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    log(f"args {vars(args)}")
    t0 = time.time()
    cache = build_cache(args.data, os.path.join(args.cache, f"ctich-{args.size}.npz"), args.size)
    cache["hu2"] = cache["hu2"].astype(np.float32)
    prev, nxt = neighbours(cache["patient"], cache["slice"])
    n = len(cache["y"])
    if args.mode == "final":
        net = train_one(cache, np.arange(n), prev, nxt, args, args.seed, log)
        torch.save(net.state_dict(), os.path.join(args.out, "final.pt"))
        log(f"final done {time.time() - t0:.0f}s")
        return
    fold_seed = args.seed if args.fold_seed is None else args.fold_seed
    folds = patient_folds(cache["patient"], cache["y"][:, 0], args.folds, fold_seed)
    only = [int(f) for f in args.only_folds.split(",") if f] or list(range(args.folds))
    oof_path = os.path.join(args.out, "oof.npy")
    oof = np.load(oof_path) if os.path.exists(oof_path) else np.full((n, 6), np.nan, np.float32)
    per_fold = {}
    for k in only:
        tf = time.time()
        tr, va = np.where(folds != k)[0], np.where(folds == k)[0]
        log(f"fold {k}: train {len(tr)} slices / {len(np.unique(cache['patient'][tr]))} patients, val {len(va)} / {len(np.unique(cache['patient'][va]))}")
        net = train_one(cache, tr, prev, nxt, args, args.seed + k, log, val=va)
        oof[va] = predict(net, cache, va, prev, nxt)
        np.save(oof_path, oof)
        torch.save(net.state_dict(), os.path.join(args.out, f"fold{k}.pt"))
        s = summarise(oof[va], cache["y"][va], cache["patient"][va])
        s["seconds"] = round(time.time() - tf)
        per_fold[k] = s
        log(f"fold {k} done: {json.dumps(s)}")
    done = ~np.isnan(oof[:, 0])
    res = {"folds": per_fold, "foldOf": {int(p): int(f) for p, f in zip(cache["patient"], folds)}}
    if done.all():
        res["oof"] = summarise(oof, cache["y"], cache["patient"])
    res["seconds"] = round(time.time() - t0)
    with open(os.path.join(args.out, f"cv-{'-'.join(map(str, only))}.json"), "w") as f:
        json.dump(res, f, indent=1)
    log(f"cv done {json.dumps(res.get('oof', {}))}")


if __name__ == "__main__":
    main()
