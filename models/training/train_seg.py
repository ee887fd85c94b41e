"""Train ICH-CNN 2 on CT-ICH: patient-level k-fold CV (out-of-fold predictions + metrics) and/or a
final model on all patients.

  nice /usr/bin/python3 models/training/train_seg.py --data ../shared/data/ct-ich \
      --cache /tmp/ich-cache --mode cv --folds 5 --size 192 --epochs 5 --seed 2024 --out /tmp/ich-run2
  nice /usr/bin/python3 models/training/train_seg.py --data ../shared/data/ct-ich \
      --cache /tmp/ich-cache --mode final --size 192 --epochs 5 --seed 2024 --out /tmp/ich-run2

Input channels (CHANNELS below): brain window of the previous slice, of this slice, of the next
slice, then subdural and bone windows of this slice. At either end of a series the missing
neighbour is the slice itself. Neighbours are swapped at random in training, so the direction in
which a series is sorted does not matter.

Each batch holds real CT-ICH slices (slice labels; a per-pixel "no blood here" target on every label
the slice is negative for) and pairs of twins made from real bleed-free slices of the training folds:
the clean slice and the same slice with a bleed painted in (synth.py), with the bleed's mask as the
per-pixel target. Validation and every reported figure use real slices only, except the painted
check (evaluate_painted), which paints held-out-fold slices with settings training never used.
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
from metrics import auc, summarise
from model import IchSegNet
from synth import KINDS, LABEL_INDEX, TRAIN_SETTINGS, anatomy, paint, plan_lesion

from train import CHANNELS, exact_batch, loss_fn as slice_loss  # the shipped recipe's input and slice loss, unchanged
BONE = 4
# CT-ICH JPEGs carry no pixel spacing; a 250 mm field of view is assumed (typical head CT).
FOV_MM = 250.0
# Held-out painted check: blood and sizes partly outside the training ranges, another seed.
EVAL_SETTINGS = {"blood_hu": (45.0, 95.0), "texture_hu": (1.0, 8.0), "size": (0.5, 1.5)}
KIND_P = np.array([0.2, 0.2, 0.15, 0.2, 0.25])  # epidural, intraparenchymal, intraventricular, subarachnoid, subdural


def windows_from_hu(h: torch.Tensor, a: torch.Tensor | None = None, off: torch.Tensor | None = None) -> torch.Tensor:
    """[B,3,2S,2S] HU (prev, this, next) -> [B,5,S,S] windows, then the 2x2 area downsample."""
    chans = []
    for name, c, w, o in CHANNELS:
        src = h[:, 1 + int(np.sign(o))]
        if a is not None:
            src = a * (src - 40) + 40 + off
        chans.append(((src - (c - w / 2)) * (1.0 / w)).clamp(0, 1))
    return F.avg_pool2d(torch.stack(chans, 1), 2)


def augmented(h: torch.Tensor, rng: np.random.RandomState, masks: torch.Tensor | None = None, strength: float = 1.0):
    """Augmentation. In HU at twice the input size: contrast/offset and geometry (flip, rotation,
    scale, translation; air outside), the masks moved with the image. Then the windows and a 2x2 area
    downsample (the box filter the pipeline uses), then in window units: noise (HU sigma / window
    width), blur or sharpening (unsharp mask), gamma, and scanner-like changes of air and bone:
    the bone channel is sometimes blanked or re-levelled, so the network cannot lean on fractures."""
    b = h.shape[0]
    s = strength
    a = torch.from_numpy(rng.uniform(1 - 0.08 * s, 1 + 0.08 * s, b).astype(np.float32))[:, None, None]
    off = torch.from_numpy(rng.uniform(-8 * s, 8 * s, b).astype(np.float32))[:, None, None]
    ang = np.deg2rad(rng.uniform(-15, 15, b) * s)
    sc = rng.uniform(1 - 0.13 * s, 1 + 0.15 * s, b)
    fl = np.where(rng.rand(b) < 0.5, -1.0, 1.0)
    tx, ty = rng.uniform(-0.06, 0.06, b) * s, rng.uniform(-0.06, 0.06, b) * s
    theta = np.zeros((b, 2, 3), np.float32)
    theta[:, 0, 0] = np.cos(ang) / sc * fl
    theta[:, 0, 1] = -np.sin(ang) / sc
    theta[:, 1, 0] = np.sin(ang) / sc * fl
    theta[:, 1, 1] = np.cos(ang) / sc
    theta[:, 0, 2], theta[:, 1, 2] = tx, ty
    grid = F.affine_grid(torch.from_numpy(theta), list(h.shape), align_corners=False)
    h = F.grid_sample(h + 1000, grid, mode="bilinear", padding_mode="zeros", align_corners=False) - 1000
    pooled = None
    if masks is not None:
        m = F.grid_sample(masks, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        pooled = F.avg_pool2d(m, 8)  # 2S -> S/4, the map's resolution
    x = windows_from_hu(h, a, off)
    widths = torch.tensor([w for _, _, w, _ in CHANNELS])[None, :, None, None]
    sig = torch.from_numpy(rng.uniform(0, 12 * s, b).astype(np.float32))[:, None, None, None]
    x = x + ((x > 0) & (x < 1)) * sig / widths * torch.randn_like(x)
    us = torch.from_numpy(rng.uniform(-1.0, 1.0, b).astype(np.float32) * s)[:, None, None, None]
    x = x + us * (x - F.avg_pool2d(x, 3, 1, 1, count_include_pad=False))
    gamma = torch.from_numpy(np.exp(rng.uniform(-0.25, 0.25, b) * s).astype(np.float32))[:, None, None, None]
    x = x.clamp(0, 1).pow(gamma)
    bone = rng.rand(b)
    x[bone < 0.2, BONE] = 0.0
    relevel = (bone >= 0.2) & (bone < 0.35)
    if relevel.any():
        k = torch.from_numpy(rng.uniform(0.6, 1.6, int(relevel.sum())).astype(np.float32))[:, None, None]
        x[relevel, BONE] = (x[relevel, BONE] * k).clamp(0, 1)
    return x, pooled


SUBDURAL = 3
BRAIN = (0, 1, 2)


def peripheral_rim(xs: list[torch.Tensor], rng: np.random.RandomState, p: float) -> None:
    """Recipe 4's scanner augmentation, in place, in window units: brighten the brain next to the
    skull by a smooth rim, as beam hardening (cupping) and the inner table's partial volume do on
    real scanners. CT-ICH's HU, rebuilt from 8-bit JPEGs, has almost none of it; on the demo's real
    GE head CT the cortex within ~6 mm of the skull at 40-60 HU alone drove recipe 3's P(any) from
    0.10 to 0.58 on normal slices (models/training/README.md). The same field goes onto every tensor
    in `xs` (a clean twin and its painted twin stay a pair); the labels do not change. Bone is where
    the subdural window saturates (>= 180 HU) in the first tensor; the rim decays smoothly over
    a random 5-11 px (6-14 mm at 192 px) and adds 3-20 HU, only to pixels inside the brain window (0-80 HU)."""
    x0 = xs[0]
    b = x0.shape[0]
    sel = torch.from_numpy(rng.rand(b) < p)
    if not bool(sel.any()):
        return
    k = int(rng.choice([5, 7, 9, 11]))
    bone = (x0[:, SUBDURAL:SUBDURAL + 1] >= 0.999).float()
    near = F.avg_pool2d(F.avg_pool2d(bone, k, 1, k // 2, count_include_pad=False), k, 1, k // 2, count_include_pad=False)
    near = (near * 4).clamp(0, 1)
    delta = torch.from_numpy(rng.uniform(3, 20, b).astype(np.float32))[:, None, None, None] * sel[:, None, None, None]
    for x in xs:
        for c in BRAIN + (SUBDURAL,):
            w = CHANNELS[c][2]
            inside = ((x[:, c:c + 1] > 0) & (x[:, c:c + 1] < 1)).float() if c != SUBDURAL else ((x[:, 1:2] > 0) & (x[:, 1:2] < 1)).float()
            x[:, c:c + 1] = (x[:, c:c + 1] + delta * near * inside / w).clamp(0, 1)


class Painter:
    """Twins for training: real bleed-free slices, clean and with a painted bleed + its mask."""

    def __init__(self, cache: dict, prev: np.ndarray, nxt: np.ndarray, size: int):
        self.hu2, self.prev, self.nxt = cache["hu2"], prev, nxt
        self.mm = FOV_MM / (2 * size)
        self.memo: dict[int, dict | None] = {}

    def anat(self, i: int):
        if i not in self.memo:
            self.memo[i] = anatomy(self.hu2[i], self.mm)
        return self.memo[i]

    def make(self, i: int, rng: np.random.RandomState, settings: dict = TRAIN_SETTINGS, n_kinds: int | None = None):
        """(clean HU [3,2S,2S], painted HU, alpha [6,2S,2S], labels [6]) or None when the slice has no brain."""
        a = self.anat(i)
        if a is None:
            return None
        swap = rng.rand() < 0.5
        p, n = (self.nxt[i], self.prev[i]) if swap else (self.prev[i], self.nxt[i])
        clean = np.stack([self.hu2[p], self.hu2[i], self.hu2[n]]).astype(np.float32)
        painted = clean.copy()
        alpha = np.zeros((6,) + clean.shape[1:], np.float32)
        y = np.zeros(6, np.float32)
        kinds = rng.choice(len(KINDS), n_kinds or (1 if rng.rand() < 0.8 else 2), replace=False, p=KIND_P)
        for kk in kinds:
            kind = KINDS[kk]
            plan = plan_lesion(a, kind, rng, settings)
            if plan is None:
                continue
            hu, al = paint(painted[1], a, plan, 1.0)
            if al.max() < 0.5:
                continue
            painted[1] = hu
            alpha[LABEL_INDEX[kind]] = np.maximum(alpha[LABEL_INDEX[kind]], al)
            y[LABEL_INDEX[kind]] = 1
            for j, nb in ((0, p), (2, n)):  # the same lesion, smaller, on the neighbours
                if nb == i:
                    continue
                an = self.anat(nb)
                if an is not None:
                    painted[j] = paint(painted[j], an, plan, rng.uniform(0.55, 0.9))[0]
        if y.max() == 0:
            return None
        y[0] = 1
        alpha[0] = alpha[1:].max(0)
        return clean, painted, alpha, y


def pixel_loss(cam: torch.Tensor, cover: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Balanced per-pixel BCE on the map logits. `cover` is the share of each map cell the lesion
    covers; a cell at least 20 % covered is blood (1), an uncovered cell is not (0), a cell barely
    touched is left out. Blood and no-blood cells are averaged separately and added, because blood
    is under 1 % of the cells: averaged together (the first attempt) the network learned a map that
    is low everywhere and did not respond to painted blood at all (AUC painted vs clean 0.50).
    weight [B,6] says which (sample, label) maps are supervised."""
    w = weight[:, :, None, None].expand_as(cam)
    pos = (cover >= 0.2).float() * w
    neg = (cover <= 0.0).float() * w
    l1 = F.binary_cross_entropy_with_logits(cam, torch.ones_like(cam), reduction="none")
    l0 = F.binary_cross_entropy_with_logits(cam, torch.zeros_like(cam), reduction="none")
    return (l0 * neg).sum() / neg.sum().clamp(min=1) + (l1 * pos).sum() / pos.sum().clamp(min=1)


@torch.no_grad()
def predict(net: torch.nn.Module, cache: dict, idx: np.ndarray, prev: np.ndarray, nxt: np.ndarray, bs: int = 64, zero_bone: bool = False) -> np.ndarray:
    net.eval()
    out = []
    for i in range(0, len(idx), bs):
        x = exact_batch(cache, idx[i:i + bs], prev, nxt)
        if zero_bone:
            x[:, BONE] = 0
        out.append(torch.sigmoid(net(x)[0]).numpy())
    return np.concatenate(out)


def build_bank(cache: dict, prev: np.ndarray, nxt: np.ndarray, size: int, seed: int, path: str) -> dict:
    """One painted twin per real bleed-free slice that has a brain (synth.py, TRAIN_SETTINGS), made
    once and shared by every fold (each fold only draws twins of its own training slices): the
    windows at the input size [M,5,S,S] and the mask at the map's size [M,6,S/4,S/4]. Painting on
    the fly cost more than the training step on this 2-core machine."""
    if os.path.exists(path):
        z = np.load(path)
        return {k: z[k] for k in z.files}
    rng = np.random.RandomState(seed)
    painter = Painter(cache, prev, nxt, size)
    src, xs, ms, ys = [], [], [], []
    t = time.time()
    for i in np.where(cache["y"][:, 0] == 0)[0]:
        made = painter.make(int(i), rng)
        if made is None:
            continue
        _, painted, alpha, y = made
        xs.append(windows_from_hu(torch.from_numpy(painted[None]))[0].numpy().astype(np.float16))
        ms.append(F.avg_pool2d(torch.from_numpy(alpha[None]), 8)[0].numpy().astype(np.float16))
        ys.append(y)
        src.append(i)
        if len(src) % 200 == 0:
            print(f"bank {len(src)} {time.time() - t:.0f}s", flush=True)
    bank = {"src": np.array(src, np.int32), "x": np.stack(xs), "m": np.stack(ms), "y": np.stack(ys)}
    np.savez(path, **bank)
    return bank


def run_arch(run: str) -> str:
    """The slice head a run was trained with (arch.json; runs from before it are recipe 2: topk)."""
    path = os.path.join(run, "arch.json")
    return json.load(open(path))["sliceHead"] if os.path.exists(path) else "topk"


def build_batch(cache, idx, prev, nxt, bank, pool, n_pairs, rng, args):
    """Real slices + clean/painted twins from the bank -> (x, y, pixel target, pixel weight)."""
    s4 = args.size // 4
    y_real = torch.from_numpy(cache["y"][idx])
    if rng.rand() < args.p_exact:
        x = exact_batch(cache, idx, prev, nxt)
        if rng.rand() < 0.5:
            x = x.flip(3)
    else:
        swap = rng.rand(len(idx)) < 0.5
        p, n = np.where(swap, nxt[idx], prev[idx]), np.where(swap, prev[idx], nxt[idx])
        hu2 = cache["hu2"]
        h = torch.from_numpy(np.stack([hu2[p], hu2[idx], hu2[n]], 1).astype(np.float32))
        x, _ = augmented(h, rng)
    if args.rim_p > 0:
        peripheral_rim([x], rng, args.rim_p)
    tgt = torch.zeros(len(idx), 6, s4, s4)
    wt = (y_real == 0).float()  # a label the slice is negative for has no blood anywhere on its map
    xs, ys, ts, ws = [x], [y_real], [tgt], [wt]
    if n_pairs and len(pool):
        j = pool[rng.randint(len(pool), size=n_pairs)]
        s = bank["src"][j]
        hu2 = cache["hu2"]
        # the clean twin goes through the same HU path as its painted twin, so the pair differs only by the bleed
        clean = windows_from_hu(torch.from_numpy(np.stack([hu2[prev[s]], hu2[s], hu2[nxt[s]]], 1).astype(np.float32)))
        painted = torch.from_numpy(bank["x"][j].astype(np.float32))
        mask = torch.from_numpy(bank["m"][j].astype(np.float32))
        flip = torch.from_numpy(rng.rand(n_pairs) < 0.5)
        clean[flip] = clean[flip].flip(3)
        painted[flip] = painted[flip].flip(3)
        mask[flip] = mask[flip].flip(3)
        if args.rim_p > 0:
            peripheral_rim([clean, painted], rng, args.rim_p)
        gamma = torch.from_numpy(np.exp(rng.uniform(-0.2, 0.2, n_pairs)).astype(np.float32))[:, None, None, None]
        bone = torch.from_numpy(rng.rand(n_pairs) < 0.2)
        for t in (clean, painted):
            t.pow_(gamma)
            t[bone, BONE] = 0.0
        xs += [clean, painted]
        ys += [torch.zeros(n_pairs, 6), torch.from_numpy(bank["y"][j])]
        ts += [torch.zeros(n_pairs, 6, s4, s4), mask]
        ws += [torch.ones(n_pairs, 6), torch.ones(n_pairs, 6)]
    return torch.cat(xs), torch.cat(ys), torch.cat(ts), torch.cat(ws)


def train_one(cache: dict, tr: np.ndarray, prev: np.ndarray, nxt: np.ndarray, args, seed: int, log, val=None) -> torch.nn.Module:
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    net = IchSegNet(len(CHANNELS), slice_head=args.slice_head)
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    steps_per_epoch = math.ceil(len(tr) / args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps_per_epoch * args.epochs, pct_start=0.15)
    bank = build_bank(cache, prev, nxt, args.size, args.seed, os.path.join(args.cache, f"bank-{args.size}-{args.seed}.npz"))
    pool = np.where(np.isin(bank["src"], tr))[0]  # twins of the training folds' own bleed-free slices only
    for ep in range(args.epochs):
        net.train()
        t = time.time()
        order = rng.permutation(tr)
        tot = pix = 0.0
        nb = 0
        for i in range(0, len(order), args.batch):
            idx = order[i:i + args.batch]
            if len(idx) < 4:
                continue
            x, y, tgt, wt = build_batch(cache, idx, prev, nxt, bank, pool, args.pairs, rng, args)
            logits, cam = net(x)
            lp = pixel_loss(cam, tgt, wt)
            loss = slice_loss(logits, y) + args.pixel_weight * lp
            if args.slice_head == "cam" and args.mil_weight > 0:
                # the map's own pooling also answers the slice labels (weakly), so real bleeds the
                # painter never drew still light the map where they are
                loss = loss + args.mil_weight * slice_loss(net.map_topk(cam), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item()
            pix += lp.item()
            nb += 1
        msg = f"epoch {ep + 1}/{args.epochs} loss {tot / nb:.4f} pixel {pix / nb:.4f} {time.time() - t:.0f}s"
        if val is not None and ep == 1:  # early warning: does the network respond to painted blood yet?
            r = evaluate_painted(net, cache, val, prev, nxt, args.size, seed, per_kind=3)["all"]
            net.train()
            msg += f" painted-check auc {r['auc']:.3f} map-in-lesion {r['mapMaxInLesion']:.2f}"
        if val is not None and ep + 1 == args.epochs:
            p = predict(net, cache, val, prev, nxt)
            s = summarise(p, cache["y"][val], cache["patient"][val])
            msg += f" val auc_any {s['auc']['any']:.4f} wll {s['weightedLogLoss']:.4f} study_max {s['studyAuc']['max']:.4f}"
        log(msg)
    return net


@torch.no_grad()
def evaluate_painted(net, cache, val, prev, nxt, size, seed, per_kind=12) -> dict:
    """Bleeds painted (EVAL_SETTINGS, another seed) into held-out bleed-free slices: does P(any)
    rise (AUC painted vs clean), and does the map's maximum fall inside the lesion?"""
    net.eval()
    rng = np.random.RandomState(seed + 7777)
    painter = Painter(cache, prev, nxt, size)
    pool = val[cache["y"][val, 0] == 0]
    res = {}
    p_clean, p_paint, hits, n_hit = [], [], {}, {}
    for kk, kind in enumerate(KINDS):
        xs, ms = [], []
        for _ in range(per_kind * 4):
            if len(xs) >= 2 * per_kind:
                break
            i = int(pool[rng.randint(len(pool))])
            a = painter.anat(i)
            if a is None:
                continue
            plan = plan_lesion(a, kind, rng, EVAL_SETTINGS)
            if plan is None:
                continue
            clean = np.stack([cache["hu2"][prev[i]], cache["hu2"][i], cache["hu2"][nxt[i]]]).astype(np.float32)
            hu, al = paint(clean[1], a, plan, 1.0)
            if al.max() < 0.5:
                continue
            painted = clean.copy()
            painted[1] = hu
            for j, nb in ((0, prev[i]), (2, nxt[i])):
                an = painter.anat(nb) if nb != i else None
                if an is not None:
                    painted[j] = paint(painted[j], an, plan, 0.75)[0]
            xs += [clean, painted]
            ms.append(al)
        if not ms:
            continue
        x = windows_from_hu(torch.from_numpy(np.stack(xs)))
        pr, cam = net(x)
        pr = torch.sigmoid(pr).numpy()
        pc, pp = pr[0::2, 0], pr[1::2, 0]
        p_clean += list(pc)
        p_paint += list(pp)
        cam_any = cam[1::2, 0].numpy()
        h = 0
        for m, c in zip(ms, cam_any):
            mm = F.max_pool2d(torch.from_numpy(m)[None, None], 8)[0, 0].numpy()  # cells touching the lesion
            r, cc = np.unravel_index(int(np.argmax(c)), c.shape)
            h += int(mm[r, cc] > 0.25)
        hits[kind], n_hit[kind] = h, len(ms)
        res[kind] = {"n": len(ms), "auc": auc(np.r_[np.zeros(len(pc)), np.ones(len(pp))], np.r_[pc, pp]),
                     "meanAnyClean": float(pc.mean()), "meanAnyPainted": float(pp.mean()), "mapMaxInLesion": h / len(ms)}
    yy = np.r_[np.zeros(len(p_clean)), np.ones(len(p_paint))]
    res["all"] = {"n": len(p_paint), "auc": auc(yy, np.r_[p_clean, p_paint]),
                  "mapMaxInLesion": sum(hits.values()) / max(1, sum(n_hit.values()))}
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="CT-ICH folder (labels.csv, brain/, bone/)")
    ap.add_argument("--cache", default="/tmp/ich-cache")
    ap.add_argument("--out", default="/tmp/ich-run2")
    ap.add_argument("--mode", choices=["cv", "final"], default="cv")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--only-folds", type=str, default="", help="comma list, to split the CV over processes")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=24, help="real slices per batch (twins come on top)")
    ap.add_argument("--pairs", type=int, default=8, help="clean/painted twin pairs per batch")
    ap.add_argument("--pixel-weight", type=float, default=1.0)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--size", type=int, default=192)
    ap.add_argument("--p-exact", type=float, default=0.4, help="share of batches whose real slices are the exact pipeline tensors")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--slice-head", choices=["topk", "cam"], default="topk",
                    help="topk: slice logit = top-1%% mean of the map (recipe 2); cam: a CAM head on the encoder (recipe 3)")
    ap.add_argument("--mil-weight", type=float, default=0.5, help="recipe 3: weight of the map's own top-k slice loss")
    ap.add_argument("--rim-p", type=float, default=0.0, help="recipe 4: share of real slices and twin pairs given a peripheral rim (peripheral_rim)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    tag = args.mode + ("-" + args.only_folds.replace(",", "-") if args.only_folds else "")
    logf = open(os.path.join(args.out, f"{tag}.log"), "a")

    def log(m: str) -> None:
        line = f"[{time.strftime('%H:%M:%S')}] {m}"
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    log(f"args {vars(args)}")
    json.dump({"sliceHead": args.slice_head, "size": args.size}, open(os.path.join(args.out, "arch.json"), "w"))
    t0 = time.time()
    cache = build_cache(args.data, os.path.join(args.cache, f"ctich-{args.size}.npz"), args.size)
    prev, nxt = neighbours(cache["patient"], cache["slice"])
    n = len(cache["y"])
    if args.mode == "final":
        net = train_one(cache, np.arange(n), prev, nxt, args, args.seed, log)
        torch.save(net.state_dict(), os.path.join(args.out, "final.pt"))
        log(f"final done {time.time() - t0:.0f}s")
        return
    folds = patient_folds(cache["patient"], cache["y"][:, 0], args.folds, args.seed)
    only = [int(f) for f in args.only_folds.split(",") if f] or list(range(args.folds))
    for k in only:
        tf = time.time()
        tr, va = np.where(folds != k)[0], np.where(folds == k)[0]
        log(f"fold {k}: train {len(tr)} slices / {len(np.unique(cache['patient'][tr]))} patients, val {len(va)} / {len(np.unique(cache['patient'][va]))}")
        net = train_one(cache, tr, prev, nxt, args, args.seed + k, log, val=va)
        torch.save(net.state_dict(), os.path.join(args.out, f"fold{k}.pt"))
        p = predict(net, cache, va, prev, nxt)
        pz = predict(net, cache, va, prev, nxt, zero_bone=True)
        np.save(os.path.join(args.out, f"oof-fold{k}.npy"), np.stack([va.astype(np.float32)[:, None].repeat(6, 1), p, pz]))
        s = summarise(p, cache["y"][va], cache["patient"][va])
        s["boneZeroed"] = summarise(pz, cache["y"][va], cache["patient"][va])["auc"]["any"]
        s["painted"] = evaluate_painted(net, cache, va, prev, nxt, args.size, args.seed + k)
        s["seconds"] = round(time.time() - tf)
        json.dump({"fold": k, "summary": s, "foldOf": {int(q): int(f) for q, f in zip(cache["patient"], folds)}},
                  open(os.path.join(args.out, f"fold{k}.json"), "w"), indent=1)
        log(f"fold {k} done: {json.dumps(s)}")


if __name__ == "__main__":
    main()
