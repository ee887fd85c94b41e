"""What shipping recipe 1 inside the ensemble changes (see ensemble_export.py): recipe 1 was trained on
512 -> 128 area inputs; in the ensemble graph it reads 512 -> 192 -> 128. On every CT-ICH slice this
runs the final models through onnxruntime-node (the server's runtime) and compares:
  - member a on its native 128 px input vs member a inside the ensemble (its logits, its AUC);
  - the ensemble graph vs the mean of logits computed here from the members' own outputs.
The final models were trained on these slices, so the AUCs here are in-sample; only the
differences are the point. Out-of-fold figures come from the fold models (ensemble_export.py).

  /usr/bin/python3 models/training/ensemble_check.py --data ../shared/data/ct-ich --cache /tmp/ich-cache \
      --a /tmp/members/ich-cnn-1.0.0.onnx --b /tmp/members/ich-cnn-2.0.0.onnx --ensemble $PWD/models/ich-cnn-3.0.0.onnx
(absolute paths: the ONNX runs from the repository root; members as in ensemble_export.py)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess

import numpy as np

from data import build_cache, neighbours
from ensemble import logit
from metrics import LABELS, auc

HERE = os.path.dirname(os.path.abspath(__file__))


def five_channel(cache: dict) -> np.ndarray:
    prev, nxt = neighbours(cache["patient"], cache["slice"])
    e = cache["exact"]
    return np.ascontiguousarray(np.stack([e[prev, 0], e[:, 0], e[nxt, 0], e[:, 1], e[:, 2]], 1), np.float32)


def run(model: str, x: np.ndarray, work: str, tag: str) -> tuple[np.ndarray, np.ndarray]:
    inp, out = os.path.join(work, f"{tag}-in.bin"), os.path.join(work, f"{tag}-out.bin")
    x.tofile(inp)
    subprocess.run(["npx", "tsx", os.path.join(HERE, "onnx_outputs.ts"), model, inp, *map(str, x.shape), out], check=True, cwd=os.path.join(HERE, "../.."))
    p = np.fromfile(out, np.float32).reshape(len(x), 6)
    return p, logit(p)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--cache", required=True)
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("--ensemble", required=True)
    args = ap.parse_args()
    c128 = build_cache(args.data, os.path.join(args.cache, "ctich-128.npz"), 128)
    c192 = build_cache(args.data, os.path.join(args.cache, "ctich-192.npz"), 192)
    y = c128["y"]
    x128, x192 = five_channel(c128), five_channel(c192)
    pa, za = run(args.a, x128, args.cache, "a128")
    pb, zb = run(args.b, x192, args.cache, "b192")
    pe, ze = run(args.ensemble, x192, args.cache, "ens192")
    # member a inside the ensemble, recovered from the ensemble's logits: z_e = (z_a' + z_b) / 2
    za_in = 2 * ze - zb
    pa_in = 1 / (1 + np.exp(-za_in))
    expected = 1 / (1 + np.exp(-(za + zb) / 2))
    report = {
        "slices": int(len(y)),
        "memberA": {
            "logitAbsDiff": {"median": float(np.median(np.abs(za_in - za)[:, 0])), "p95": float(np.percentile(np.abs(za_in - za)[:, 0], 95)), "max": float(np.abs(za_in - za)[:, 0].max())},
            "probAnyAbsDiff": {"median": float(np.median(np.abs(pa_in - pa)[:, 0])), "max": float(np.abs(pa_in - pa)[:, 0].max())},
            "aucInSample": {l: {"native128": auc(y[:, j], pa[:, j]), "inEnsemble": auc(y[:, j], pa_in[:, j])} for j, l in enumerate(LABELS)},
        },
        "ensembleVsNativeMean": {"probAbsDiffMax": float(np.abs(pe - expected).max()), "probAnyAbsDiffMedian": float(np.median(np.abs(pe - expected)[:, 0]))},
        "aucInSample": {"ensemble": auc(y[:, 0], pe[:, 0]), "nativeMean": auc(y[:, 0], expected[:, 0]), "a": auc(y[:, 0], pa[:, 0]), "b": auc(y[:, 0], pb[:, 0])},
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
