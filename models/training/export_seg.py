"""EXPERIMENT (recipe 2, not shipped; see README "Experiment"). Export a trained ICH-CNN 2 to ONNX with its manifest, OOF operating points and provenance.

  /usr/bin/python3 models/training/export_seg.py --run /tmp/ich-run2 --data ../shared/data/ct-ich --out /tmp/ich-run2

Writes <out>/ich-cnn-2.0.0.onnx and .json, <run>/oof-predictions.csv, and
<run>/parity.json (PyTorch outputs on real CT-ICH inputs) + <run>/parity-input.bin for the Node check
(models/training/check_onnx_node.ts).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import time

import numpy as np
import onnx
import torch

from data import LABELS, build_cache, neighbours
from metrics import sens_spec, summarise, threshold_for_sensitivity
from model import Exported, IchSegNet
from export import final_model_info
from train_seg import CHANNELS, exact_batch, run_arch

SENSITIVITY = {"any": 0.95, "epidural": 0.90, "intraparenchymal": 0.90, "intraventricular": 0.90, "subarachnoid": 0.90, "subdural": 0.90}


def gather_oof(run: str, n: int):
    """Out-of-fold probabilities (and with the bone channel zeroed) from the per-fold files of train.py."""
    oof = np.full((n, 6), np.nan, np.float32)
    oof_bone0 = np.full((n, 6), np.nan, np.float32)
    cv = {"folds": {}, "foldOf": None}
    for k in range(5):
        arr = np.load(os.path.join(run, f"oof-fold{k}.npy"))
        va = arr[0][:, 0].astype(int)
        oof[va], oof_bone0[va] = arr[1], arr[2]
        fj = json.load(open(os.path.join(run, f"fold{k}.json")))
        cv["folds"][str(k)] = fj["summary"]
        cv["foldOf"] = fj["foldOf"]
    assert not np.isnan(oof).any(), "every slice needs an out-of-fold prediction"
    return oof, oof_bone0, cv


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p.astype(np.float64), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def platt(oof: np.ndarray, y: np.ndarray):
    """Per-label Platt scaling on the out-of-fold logits. The balanced per-pixel loss leaves the raw
    probabilities far too high on normal slices (mean P(any) ~0.6); this maps them back to the
    observed frequencies without changing any ranking (a > 0)."""
    from sklearn.linear_model import LogisticRegression
    scale, shift, info = np.ones(6), np.zeros(6), {}
    for j, l in enumerate(LABELS):
        if y[:, j].min() == y[:, j].max():
            continue
        lr = LogisticRegression(C=1e4).fit(_logit(oof[:, j])[:, None], y[:, j])
        a, b = float(lr.coef_[0, 0]), float(lr.intercept_[0])
        if a <= 0:
            continue
        scale[j], shift[j] = a, b
        info[l] = {"scale": round(a, 5), "shift": round(b, 5)}
    return scale.astype(np.float32), shift.astype(np.float32), info


def calibrated(p: np.ndarray, scale: np.ndarray, shift: np.ndarray) -> np.ndarray:
    return (1 / (1 + np.exp(-(_logit(p) * scale + shift)))).astype(np.float32)


ARCH = {
    "topk": {"type": "ResNet-style encoder (stride 16, widths 24-32-64-128-160) + top-down decoder to stride 4 (48 ch), 1x1 head = one logit map per label; slice logit = mean of the top 1 % map logits",
             "cam": "sigmoid of the per-position label logits, [N,6,H/4,W/4]; the slice probability is sigmoid(mean of the top 1 % of the same logits); trained with a per-pixel loss on synthesised bleeds (models/training/synth.py) and on bleed-free real slices"},
    "cam": {"type": "ResNet-style encoder (stride 16, widths 24-32-64-128-160) with two heads: a class-activation head on the stride-16 features (slice logit = (mean + max) / 2 of its map, as in 1.0.0) and a top-down decoder to stride 4 (48 ch) whose 1x1 head gives one localization logit map per label",
            "cam": "sigmoid of the decoder's per-position label logits, [N,6,H/4,W/4], trained per pixel on synthesised bleeds (models/training/synth.py) and on bleed-free real slices, and weakly (mean of its top 1 % against the slice labels) on real slices; not calibrated, and not the pooling the slice probability comes from"},
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", default="/tmp/ich-run2")
    ap.add_argument("--data", required=True)
    ap.add_argument("--cache", default="/tmp/ich-cache")
    ap.add_argument("--size", type=int, default=192)
    ap.add_argument("--out", default="/tmp/ich-run2")
    ap.add_argument("--name", default="ich-cnn")
    ap.add_argument("--version", default="2.0.0")
    ap.add_argument("--aggregation", default="max")
    ap.add_argument("--weights", default="final.pt", help="state dict in --run to export (final.pt, or foldK.pt)")
    args = ap.parse_args()
    torch.set_num_threads(2)
    cache = build_cache(args.data, os.path.join(args.cache, f"ctich-{args.size}.npz"), args.size)
    prev, nxt = neighbours(cache["patient"], cache["slice"])
    y, patient = cache["y"], cache["patient"]

    head = run_arch(args.run)
    net = IchSegNet(len(CHANNELS), slice_head=head)
    net.load_state_dict(torch.load(os.path.join(args.run, args.weights)))
    net.eval()
    oof, oof_bone0, cv = gather_oof(args.run, len(y))
    scale, shift, calib = platt(oof, y)
    model = Exported(net, torch.from_numpy(scale), torch.from_numpy(shift), calibrate_map=head == "topk").eval()
    base = f"{args.name}-{args.version}"
    onnx_path = os.path.join(args.out, f"{base}.onnx")
    x = torch.zeros(1, len(CHANNELS), args.size, args.size)
    torch.onnx.export(model, x, onnx_path, opset_version=17, input_names=["input"], output_names=["probabilities", "cam"],
                      dynamic_axes={"input": {0: "N"}, "probabilities": {0: "N"}, "cam": {0: "N"}}, do_constant_folding=True)
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m)
    digest = hashlib.sha256(open(onnx_path, "rb").read()).hexdigest()
    size_mb = os.path.getsize(onnx_path) / 1e6

    # Parity material: 32 real slices (16 positive for any), exact pipeline tensors.
    rng = np.random.RandomState(0)
    pick = np.concatenate([rng.choice(np.where(y[:, 0] > 0)[0], 16, replace=False), rng.choice(np.where(y[:, 0] == 0)[0], 16, replace=False)])
    xb = exact_batch(cache, pick, prev, nxt)
    with torch.no_grad():
        pr, cam = model(xb)
    xb.numpy().astype("<f4").tofile(os.path.join(args.run, "parity-input.bin"))
    json.dump({"shape": list(xb.shape), "probabilities": pr.numpy().tolist(), "cam": cam.numpy().reshape(len(pick), -1).tolist(),
               "camShape": list(cam.shape)}, open(os.path.join(args.run, "parity.json"), "w"))

    # PyTorch CPU speed on the same weights (2 threads), for the benchmark ratio.
    speed = {}
    with torch.no_grad():
        for bs in (1, 8, 32):
            xx = torch.rand(bs, len(CHANNELS), args.size, args.size)
            model(xx)
            n, t = 0, time.time()
            while time.time() - t < 5:
                model(xx)
                n += bs
            speed[str(bs)] = round(n / (time.time() - t), 1)

    # Out-of-fold: metrics and operating points.
    oof = calibrated(oof, scale, shift)
    oof_bone0 = calibrated(oof_bone0, scale, shift)
    painted = {kind: {"n": 0, "aucSum": 0.0, "hits": 0.0} for kind in ("epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural", "all")}
    for s in cv["folds"].values():
        for kind, r in s["painted"].items():
            painted[kind]["n"] += r["n"]
            painted[kind]["aucSum"] += (r["auc"] or 0) * r["n"]
            painted[kind]["hits"] += r["mapMaxInLesion"] * r["n"]
    painted_summary = {kind: {"lesions": v["n"], "aucPaintedVsClean": round(v["aucSum"] / max(1, v["n"]), 4),
                              "mapMaxInLesion": round(v["hits"] / max(1, v["n"]), 4)} for kind, v in painted.items()}
    bone0 = summarise(oof_bone0, y, patient)
    ops, op_metrics = {}, {}
    for j, l in enumerate(LABELS):
        t = threshold_for_sensitivity(oof[:, j], y[:, j], SENSITIVITY[l])
        se, sp = sens_spec(oof[:, j], y[:, j], t)
        ops[l] = {"threshold": round(t, 6)}
        if se is not None:
            ops[l]["sensitivity"] = round(se, 4)
        if sp is not None:
            ops[l]["specificity"] = round(sp, 4)
        op_metrics[l] = {"targetSensitivity": SENSITIVITY[l], **ops[l], "positives": int(y[:, j].sum())}
    oof_summary = summarise(oof, y, patient)
    oof_summary["boneChannelZeroed"] = {"aucAny": bone0["auc"]["any"], "studyAucMax": bone0["studyAuc"]["max"]}
    oof_summary["paintedHeldOut"] = painted_summary

    # an experiment: its OOF file goes to the run folder, never over the shipped model's
    with open(os.path.join(args.run, "oof-predictions.csv"), "w") as f:
        f.write("patient,slice," + ",".join(f"p_{l}" for l in LABELS) + "," + ",".join(LABELS) + "\n")
        for i in range(len(y)):
            f.write(f"{patient[i]},{cache['slice'][i]}," + ",".join(f"{v:.6f}" for v in oof[i]) + "," + ",".join(str(int(v)) for v in y[i]) + "\n")

    final_log = os.path.join(args.run, "final.log")
    train_log = open(final_log).read().strip().splitlines() if args.weights == "final.pt" and os.path.exists(final_log) else []
    manifest = {
        "name": args.name,
        "version": args.version,
        "file": f"{base}.onnx",
        "sha256": digest,
        "description": ("Residual CNN with a stride-4 localization decoder (2.5D: brain window of the previous/this/next slice + subdural + bone "
                        "of this slice), trained from scratch on CT-ICH (66 patients) and on bleeds synthesised into its bleed-free slices"
                        + ("; slice probabilities from a class-activation head on the encoder, maps from the decoder" if head == "cam" else "")
                        + ". Research software, not a medical device. See models/MODEL_CARD.md."),
        "intendedUse": "research",
        "input": {"name": "input"},
        "outputs": {"probabilities": "probabilities", "cam": "cam"},
        "labels": list(LABELS),
        "preprocess": {
            "windows": [{"name": n, "center": c, "width": w, "sliceOffset": o} for n, c, w, o in CHANNELS],
            "inputSize": {"height": args.size, "width": args.size},
            "resize": "area",
            "normalisation": {"mean": [0.0] * len(CHANNELS), "std": [1.0] * len(CHANNELS)},
        },
        "operatingPoints": ops,
        "training": {
            "data": "CT-ICH (PhysioNet doi:10.13026/w8q8-ky94, CC BY 4.0; Hssayeni et al. 2020, Data 5(1):14): 66 patients, 1995 slices, HU reconstructed from the brain (L40/W120) and bone (L700/W3200) JPEGs",
            "recipe": "models/training/README.md",
            "architecture": ARCH[head] | {"parameters": int(sum(p.numel() for p in net.parameters())), "onnxMB": round(size_mb, 2)},
            "finalModel": final_model_info(args.weights, cv, patient, train_log),
            "validation": {
                "scheme": "5-fold patient-level cross-validation (patients stratified on any bleed), out-of-fold predictions of the fold models; real slices only (painted slices never enter a validation fold except the separate painted check)",
                "oof": oof_summary,
                "folds": cv["folds"],
                "operatingPoints": op_metrics,
                "studyAggregation": args.aggregation,
            },
            "studyAggregation": args.aggregation,
            "calibration": {"method": "Platt scaling per label on the out-of-fold logits, folded into the exported graph (probabilities and maps)", "labels": calib},
            "pytorchCpuSlicesPerSecond": speed,
            "license": "Model weights derived from CT-ICH, CC BY 4.0; attribution in models/MODEL_CARD.md",
        },
    }
    with open(os.path.join(args.out, f"{base}.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(json.dumps({"onnx": onnx_path, "sha256": digest, "MB": round(size_mb, 2), "torch_speed": speed, "ops": ops,
                      "oof": oof_summary}, indent=1))


if __name__ == "__main__":
    main()
