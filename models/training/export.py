"""Export a trained ICH-CNN to ONNX with its manifest, OOF operating points and provenance.

  nice -n 10 /usr/bin/python3 models/training/export.py --run /tmp/ich-run --data ../shared/data/ct-ich \
      --cache /tmp/ich-cache --out models --name ich-cnn --version 1.0.0

Writes models/<name>-<version>.onnx and .json, models/training/ich-cnn-1.0.0-oof-predictions.csv, and
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
from model import Ensemble, Exported, IchCnn
from train import CHANNELS, exact_batch

SENSITIVITY = {"any": 0.95, "epidural": 0.90, "intraparenchymal": 0.90, "intraventricular": 0.90, "subarachnoid": 0.90, "subdural": 0.90}


def final_model_info(weights: str, cv: dict, patient: np.ndarray, train_log: list) -> dict:
    if weights == "final.pt":
        return {"trainedOn": "all 66 patients", "patients": int(len(np.unique(patient))), "slices": int(len(patient)),
                "log": train_log[-1] if train_log else None}
    k = int(weights[4:-3])
    held = sorted(int(p) for p, f in cv["foldOf"].items() if f == k)
    train_mask = np.array([cv["foldOf"][str(int(p))] != k for p in patient])
    return {"trainedOn": f"cross-validation fold {k} model (the other 4 folds)", "patients": int(len(np.unique(patient[train_mask]))),
            "slices": int(train_mask.sum()), "heldOutPatients": held}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", default="/tmp/ich-run")
    ap.add_argument("--data", required=True)
    ap.add_argument("--cache", default="/tmp/ich-cache")
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--out", default="models")
    ap.add_argument("--name", default="ich-cnn")
    ap.add_argument("--version", default="1.0.0")
    ap.add_argument("--aggregation", default="top3")
    ap.add_argument("--weights", default="final.pt", help="state dict in --run to export (final.pt, or foldK.pt)")
    ap.add_argument("--members", default="", help="comma list of final.pt files: export their seed ensemble "
                    "(--run is then ensemble.py's output folder: its oof.npy, cv-0-1-2-3-4.json, members.json)")
    args = ap.parse_args()
    torch.set_num_threads(2)
    cache = build_cache(args.data, os.path.join(args.cache, f"ctich-{args.size}.npz"), args.size)
    prev, nxt = neighbours(cache["patient"], cache["slice"])
    y, patient = cache["y"], cache["patient"]

    member_paths = [m for m in args.members.split(",") if m] or [os.path.join(args.run, args.weights)]
    nets = []
    for path in member_paths:
        one = IchCnn(len(CHANNELS))
        one.load_state_dict(torch.load(path))
        nets.append(one.eval())
    net = nets[0] if len(nets) == 1 else Ensemble(nets).eval()
    model = Exported(net).eval()
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
    oof = np.load(os.path.join(args.run, "oof.npy"))
    cv = json.load(open(os.path.join(args.run, "cv-0-1-2-3-4.json")))
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

    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "ich-cnn-1.0.0-oof-predictions.csv"), "w") as f:
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
        "description": ("Small residual CNN (2.5D: brain window of the previous/this/next slice + subdural + bone of this slice) "
                        "trained from scratch on CT-ICH (66 patients). Research software, not a medical device. See models/MODEL_CARD.md."),
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
            "architecture": {"type": ("" if len(nets) == 1 else f"Seed ensemble (mean of logits and of maps) of {len(nets)} x ") + "ResNet-style CNN, 6 residual blocks, widths 24-32-64-64-128-128-192, CAM head (1x1 conv), slice logit = (mean + max)/2 of the CAM logits",
                             "parameters": int(sum(p.numel() for p in net.parameters())), "onnxMB": round(size_mb, 2),
                             "cam": "sigmoid of the per-position class logits, [N,6,H/16,W/16]; the slice probability is sigmoid((mean+max)/2 of the same logits)"},
            "finalModel": final_model_info(args.weights, cv, patient, train_log) if len(nets) == 1 else
            {"trainedOn": "all 66 patients, once per member seed", "patients": int(len(np.unique(patient))), "slices": int(len(patient)),
             "members": json.load(open(os.path.join(args.run, "members.json")))["members"]},
            "validation": {
                "scheme": "5-fold patient-level cross-validation (patients stratified on any bleed), out-of-fold predictions of the fold models",
                "oof": oof_summary,
                "folds": cv["folds"],
                "operatingPoints": op_metrics,
                "studyAggregation": args.aggregation,
            },
            "studyAggregation": args.aggregation,
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
