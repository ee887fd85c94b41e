"""PyTorch reference for bench/inference.ts: slices/s of the shipped model on the CPU, same weights.

The weights come from the shipped ONNX file itself (--onnx): its exporter folded each BatchNorm into
the convolution before it, so the PyTorch network gets the same folded convolutions (BatchNorm
replaced by identity: what a careful PyTorch deployment runs, and the same arithmetic as the ONNX
graph). The architecture is the one of models/training/model.py whose convolutions match the file's
by name and shape (IchCnn or IchSegNet); anything else is an error, not a silent "initial weights".

Runs as a server so the bench can interleave it with onnxruntime round by round without paying
Python's and torch's start-up each time: prints one JSON line when ready ({"ready": true, "weights",
"torch", "threads", "probe"}: probe = probabilities of a fixed input, for the bench to compare with
onnxruntime's), then answers each stdin line {"batch": n, "seconds": s} with {"rate": slices_per_s}.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import onnx
import torch
from onnx import numpy_helper
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "models", "training"))
import model as architectures  # noqa: E402


def module_path(node_name: str) -> str:
    """'/net/stages/stages.5/c2/c2.0/Conv' -> 'net.stages.5.c2.0' (torch.onnx's scope naming)."""
    parts = node_name.strip("/").split("/")[:-1]
    out: list[str] = []
    for i, p in enumerate(parts):
        # A child scope repeats its parent's name: 'stages' then 'stages.5' is index 5 of stages.
        head, _, tail = p.rpartition(".")
        out.append(tail if i > 0 and head == parts[i - 1] else p)
    return ".".join(out)


def dequantized(m: onnx.ModelProto) -> dict[str, torch.Tensor]:
    """Float values of the initialisers and of DequantizeLinear(initialiser) outputs (a QDQ model's
    int8 weights and int32 biases, bench/python/quantize_qdq.py): the weights the int8 model computes
    with, which PyTorch then runs in float."""
    arrays = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    out = {k: torch.from_numpy(v.copy()) for k, v in arrays.items()}
    for n in m.graph.node:
        if n.op_type == "DequantizeLinear" and n.input[0] in arrays:
            q = torch.from_numpy(arrays[n.input[0]].astype("float64"))
            scale = torch.from_numpy(arrays[n.input[1]].astype("float64"))
            zp = torch.from_numpy(arrays[n.input[2]].astype("float64")) if len(n.input) > 2 else torch.zeros(())
            axis = next((a.i for a in n.attribute if a.name == "axis"), 1)
            if scale.dim() == 1:
                shape = [1] * q.dim()
                shape[axis] = -1
                scale, zp = scale.view(shape), zp.view(shape)
            out[n.output[0]] = ((q - zp) * scale).float()
    return out


def onnx_convs(path: str) -> dict[str, tuple[torch.Tensor, torch.Tensor | None]]:
    m = onnx.load(path)
    inits = dequantized(m)
    convs = {}
    for n in m.graph.node:
        if n.op_type == "Conv":
            w = inits[n.input[1]]
            b = inits[n.input[2]] if len(n.input) > 2 else None
            # Names are scoped under Exported's `net`; the architectures are built bare.
            convs[module_path(n.name).removeprefix("net.")] = (w, b)
    return convs


def load_folded(net: nn.Module, convs: dict[str, tuple[torch.Tensor, torch.Tensor | None]]) -> None:
    """Copies the ONNX convolutions into `net` and replaces the BatchNorm after each by identity."""
    modules = dict(net.named_modules())
    names = {n for n, m in modules.items() if isinstance(m, nn.Conv2d)}
    if names != set(convs):
        raise ValueError(f"convolutions differ: torch-only {sorted(names - set(convs))[:3]}, onnx-only {sorted(set(convs) - names)[:3]}")
    for name, (w, b) in convs.items():
        conv = modules[name]
        if tuple(conv.weight.shape) != tuple(w.shape):
            raise ValueError(f"{name}: torch {tuple(conv.weight.shape)} vs onnx {tuple(w.shape)}")
        conv.weight.data.copy_(w)
        if b is not None:
            conv.bias = nn.Parameter(b.clone())
        parent_name, _, idx = name.rpartition(".")
        parent = modules.get(parent_name)
        if isinstance(parent, nn.Sequential) and idx.isdigit() and int(idx) + 1 < len(parent):
            if isinstance(parent[int(idx) + 1], nn.BatchNorm2d):
                parent[int(idx) + 1] = nn.Identity()


def build(onnx_path: str, channels: int) -> tuple[nn.Module, str]:
    convs = onnx_convs(onnx_path)
    errors = []
    candidates = [("IchCnn", {})]
    # IchSegNet's slice head is a top-k pooling of the map, or ("cam") its own 1x1 head on the encoder.
    candidates += [("IchSegNet", {}), ("IchSegNet", {"slice_head": "cam"})]
    for name, kwargs in candidates:
        cls = getattr(architectures, name, None)
        if cls is None:
            continue
        try:
            net = cls(in_ch=channels, **kwargs)
            load_folded(net, convs)
        except (TypeError, ValueError) as err:
            errors.append(f"{name}{kwargs or ''}: {err}")
            continue
        calibrate_map = not (name == "IchSegNet" and kwargs.get("slice_head") == "cam")
        try:
            wrapped = architectures.Exported(net, calibrate_map=calibrate_map)
        except TypeError:  # an older Exported without calibrate_map
            wrapped = architectures.Exported(net)
        return wrapped.eval(), f"{name}{kwargs or ''} with the folded weights of {os.path.basename(onnx_path)}"
    raise SystemExit(f"no architecture in models/training/model.py matches {onnx_path}: {'; '.join(errors)}")


def probe_input(channels: int, size: int) -> torch.Tensor:
    """The fixed input bench/inference.ts also feeds onnxruntime: ((c*7 + y*3 + x) % 17) / 17."""
    c = torch.arange(channels).view(channels, 1, 1)
    y = torch.arange(size).view(1, size, 1)
    x = torch.arange(size).view(1, 1, size)
    return (((c * 7 + y * 3 + x) % 17).float() / 17).unsqueeze(0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--channels", type=int, required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model, weights = build(a.onnx, a.channels)
    inputs: dict[int, torch.Tensor] = {}
    with torch.inference_mode():
        probe = model(probe_input(a.channels, a.size))[0][0].tolist()
        print(json.dumps({"ready": True, "weights": weights, "torch": torch.__version__, "threads": torch.get_num_threads(), "probe": probe}), flush=True)
        for line in sys.stdin:
            job = json.loads(line)
            b = int(job["batch"])
            x = inputs.setdefault(b, torch.rand(b, a.channels, a.size, a.size))
            for _ in range(2):  # warm-up: allocator and oneDNN primitives for this shape
                model(x)
            n = 0
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < float(job["seconds"]):
                model(x)
                n += b
            print(json.dumps({"rate": n / (time.perf_counter() - t0)}), flush=True)


if __name__ == "__main__":
    main()
