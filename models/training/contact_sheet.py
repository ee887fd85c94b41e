"""Contact sheet of real CT-ICH bleed slices with the model's "any" map, each slice scored by the fold
model that never saw its patient (out of fold), for people to look at.

  /usr/bin/python3 models/training/contact_sheet.py --run /tmp/ich-run2 --out /tmp/contact.png [--n 24]

Each tile: brain window (40/80) with the map drawn in a hot colour map where it is above 0.2, the
slice's P(any) and its labels in the title strip (no patient identifiers: CT-ICH is de-identified,
tiles are numbered).
"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw

from data import LABELS, build_cache, neighbours
from model import IchSegNet
from train_seg import CHANNELS, exact_batch, run_arch

SHORT = {"epidural": "EDH", "intraparenchymal": "IPH", "intraventricular": "IVH", "subarachnoid": "SAH", "subdural": "SDH"}


def hot(v: np.ndarray) -> np.ndarray:
    r = np.clip(v * 3, 0, 1)
    g = np.clip(v * 3 - 1, 0, 1)
    b = np.clip(v * 3 - 2, 0, 1)
    return np.stack([r, g, b], -1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", default="/tmp/ich-run2")
    ap.add_argument("--cache", default="/tmp/ich-cache")
    ap.add_argument("--size", type=int, default=192)
    ap.add_argument("--out", default="/tmp/contact.png")
    ap.add_argument("--n", type=int, default=24)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    cache = build_cache("", os.path.join(args.cache, f"ctich-{args.size}.npz"), args.size)
    prev, nxt = neighbours(cache["patient"], cache["slice"])
    fold_of = json.load(open(os.path.join(args.run, "fold0.json")))["foldOf"]
    y = cache["y"]
    rng = np.random.RandomState(args.seed)
    pos = np.where(y[:, 0] > 0)[0]
    pick = np.sort(rng.choice(pos, min(args.n, len(pos)), replace=False))
    tiles = []
    nets = {}
    for i in pick:
        k = fold_of[str(int(cache["patient"][i]))]
        if k not in nets:
            net = IchSegNet(len(CHANNELS), slice_head=run_arch(args.run))
            net.load_state_dict(torch.load(os.path.join(args.run, f"fold{k}.pt")))
            nets[k] = net.eval()
        x = exact_batch(cache, np.array([i]), prev, nxt)
        with torch.no_grad():
            logit, cam = nets[k](x)
        p = float(torch.sigmoid(logit)[0, 0])
        m = torch.sigmoid(F.interpolate(cam[:, :1], size=(args.size, args.size), mode="bilinear", align_corners=False))[0, 0].numpy()
        grey = x[0, 1].numpy()[..., None].repeat(3, -1)
        a = np.clip((m - 0.2) / 0.8, 0, 1)[..., None] * 0.6
        rgb = grey * (1 - a) + hot(m) * a
        img = Image.fromarray((rgb * 255).astype(np.uint8)).resize((256, 256))
        d = ImageDraw.Draw(img)
        labs = ",".join(SHORT[l] for j, l in enumerate(LABELS) if j and y[i, j] > 0)
        d.rectangle([0, 0, 256, 14], fill=(0, 0, 0))
        d.text((3, 1), f"#{len(tiles) + 1} P(any) {p:.2f} {labs}", fill=(255, 255, 255))
        tiles.append(np.asarray(img))
    cols = 6
    while len(tiles) % cols:
        tiles.append(np.zeros_like(tiles[0]))
    rows = [np.concatenate(tiles[r * cols:(r + 1) * cols], 1) for r in range(len(tiles) // cols)]
    Image.fromarray(np.concatenate(rows, 0)).save(args.out)
    print(json.dumps({"out": args.out, "tiles": int(len(pick))}))


if __name__ == "__main__":
    main()
