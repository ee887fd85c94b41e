"""PyTorch reference for bench/inference.ts: slices/s of the shipped architecture on the CPU.

The weights are the recipe's own (--weights, e.g. /tmp/ich-run/final.pt) when given; throughput does
not depend on weight values, so without them the same architecture runs with its initial weights
(and says so). Prints one JSON object: {"batch": {"1": slices_per_s, ...}, "weights": "..."}.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "models", "training"))
from model import Exported, IchCnn  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--channels", type=int, default=5)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--batches", default="1,8,32")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--weights", default="")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    net = IchCnn(in_ch=a.channels)
    weights = "initial (architecture only)"
    if a.weights and os.path.exists(a.weights):
        net.load_state_dict(torch.load(a.weights, map_location="cpu"))
        weights = a.weights
    model = Exported(net).eval()
    out: dict[str, float] = {}
    with torch.inference_mode():
        for b in [int(x) for x in a.batches.split(",")]:
            x = torch.rand(b, a.channels, a.size, a.size)
            for _ in range(3):
                model(x)
            n = 0
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < a.seconds:
                model(x)
                n += b
            out[str(b)] = n / (time.perf_counter() - t0)
    print(json.dumps({"batch": out, "weights": weights, "torch": torch.__version__, "threads": a.threads}))


if __name__ == "__main__":
    main()
