"""Ship two trained recipes as one ONNX file: the mean of their logits (recipe 1, `ich-cnn` 1.0.0, 128 px
CAM network; recipe 3, `ich-cnn` 2.0.0, 192 px network with a stride-4 localization decoder).

Why a cross-recipe ensemble: the two recipes fail differently. Recipe 1 reads bone and context cues
(study AUC 0.775 out of fold, flat on painted bleeds); recipe 3 responds to blood (painted AUC 0.767,
map in the lesion 69 %) but ranks real studies worse (0.754). The mean of their out-of-fold logits
(both trained on the SAME patient folds, fold seed 2024, so the mean is still out of fold) gives
slice AUC(any) 0.873 and study AUC 0.908, where a seed ensemble of recipe 1 alone gave 0.820
(README, "a seed ensemble"). The mean of logits with equal weights is the rule `ensemble.py` already
uses; no weight was tuned.

The server feeds one input tensor, so the graph takes recipe 3's input (5 x 192 x 192, area-resized
from the slice) and gives recipe 1 its 128 x 128 input by an exact area resample of that tensor
(two MatMuls with the same tables as server/dicom/resize.ts). 512 -> 192 -> 128 is not bit-identical
to the 512 -> 128 recipe 1 was trained on; `ensemble_check.py` measures what that changes.
The localization map is recipe 3's (recipe 1's 8 x 8 CAM does not point at blood).

The members are not in the tree (the ensemble holds both); take them from the commit that shipped them:
  mkdir -p /tmp/members && for f in ich-cnn-1.0.0.onnx ich-cnn-1.0.0.json; do git show aa778b7:models/$f > /tmp/members/$f; done
  for f in ich-cnn-2.0.0.onnx ich-cnn-2.0.0.json; do git show aa778b7:models/candidates/$f > /tmp/members/$f; done
  cd models/training && /usr/bin/python3 ensemble_export.py --a /tmp/members/ich-cnn-1.0.0.onnx --a-manifest /tmp/members/ich-cnn-1.0.0.json \
      --b /tmp/members/ich-cnn-2.0.0.onnx --b-manifest /tmp/members/ich-cnn-2.0.0.json \
      --oof-a ich-cnn-1.0.0-oof-predictions.csv --oof-b ich-cnn-2.0.0-oof-predictions.csv \
      --out .. --oof-out ich-cnn-3.0.0-oof-predictions.csv --version 3.0.0

Writes <out>/ich-cnn-<version>.onnx and .json and the ensemble's out-of-fold predictions
(then run `npm run model:study-points` on that CSV to add the study operating points).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

from data import patient_folds
from ensemble import logit  # the seed ensemble's rule, so both ensembles clip the same way
from metrics import LABELS, sens_spec, summarise, threshold_for_sensitivity
from preprocess import resample_matrix

SENSITIVITY = {"any": 0.95, "epidural": 0.90, "intraparenchymal": 0.90, "intraventricular": 0.90, "subarachnoid": 0.90, "subdural": 0.90}


def read_oof(path: str):
    rows = sorted(csv.DictReader(open(path)), key=lambda r: (int(r["patient"]), int(r["slice"])))
    p = np.array([[float(r[f"p_{l}"]) for l in LABELS] for r in rows])
    y = np.array([[int(r[l]) for l in LABELS] for r in rows])
    key = np.array([[int(r["patient"]), int(r["slice"])] for r in rows])
    return p, y, key


def prefixed(model: onnx.ModelProto, prefix: str, keep: set[str]) -> onnx.GraphProto:
    """The member's graph with every tensor and node name prefixed (the shared input kept)."""
    g = onnx.GraphProto()
    g.CopyFrom(model.graph)
    rename = lambda n: n if (n in keep or n == "") else prefix + n  # noqa: E731
    for n in g.node:
        n.name = prefix + n.name
        n.input[:] = [rename(i) for i in n.input]
        n.output[:] = [rename(o) for o in n.output]
    for t in g.initializer:
        t.name = rename(t.name)
    for v in list(g.value_info) + list(g.output):
        v.name = rename(v.name)
    return g


def sigmoid_input(g: onnx.GraphProto, output: str) -> str:
    node = next(n for n in g.node if output in n.output)
    assert node.op_type == "Sigmoid", f"{output} should come from a Sigmoid, got {node.op_type}"
    return node.input[0]


def build(a_path: str, b_path: str) -> onnx.ModelProto:
    a, b = onnx.load(a_path), onnx.load(b_path)
    inp = b.graph.input[0]
    a_size = a.graph.input[0].type.tensor_type.shape.dim[2].dim_value
    b_size = inp.type.tensor_type.shape.dim[2].dim_value
    ga, gb = prefixed(a, "a/", set()), prefixed(b, "b/", {inp.name})
    # recipe 1 reads an area resample of recipe 3's input: X_a = R . X . R^T, R [a_size, b_size]
    r = resample_matrix("area", b_size, a_size).astype(np.float32)
    resize = [
        helper.make_node("MatMul", [inp.name, "ens/Rt"], ["ens/cols"], name="ens/resize_cols"),
        helper.make_node("MatMul", ["ens/R", "ens/cols"], ["a/" + a.graph.input[0].name], name="ens/resize_rows"),
    ]
    za, zb = sigmoid_input(ga, "a/probabilities"), sigmoid_input(gb, "b/probabilities")
    # drop each member's final Sigmoid on probabilities, and recipe 1's map branch (unused)
    a_keep = [n for n in ga.node if "a/probabilities" not in n.output]
    b_keep = [n for n in gb.node if "b/probabilities" not in n.output]
    head = [
        helper.make_node("Add", [za, zb], ["ens/zsum"], name="ens/add"),
        helper.make_node("Mul", ["ens/zsum", "ens/half"], ["ens/z"], name="ens/mean"),
        helper.make_node("Sigmoid", ["ens/z"], ["probabilities"], name="ens/sigmoid"),
        helper.make_node("Identity", ["b/cam"], ["cam"], name="ens/map"),
    ]
    inits = list(ga.initializer) + list(gb.initializer) + [
        numpy_helper.from_array(r, "ens/R"),
        numpy_helper.from_array(np.ascontiguousarray(r.T), "ens/Rt"),
        numpy_helper.from_array(np.array(0.5, np.float32), "ens/half"),
    ]
    probs = next(o for o in b.graph.output if o.name == "probabilities")
    cam = next(o for o in b.graph.output if o.name == "cam")
    graph = helper.make_graph(resize + a_keep + b_keep + head, "ich-cnn-ensemble", [inp], [probs, cam], inits)
    model = helper.make_model(graph, opset_imports=list(b.opset_import), producer_name="models/training/ensemble_export.py")
    model.ir_version = b.ir_version
    # prune recipe 1's unused map branch
    model = onnx.utils.Extractor(model).extract_model([inp.name], ["probabilities", "cam"])
    onnx.checker.check_model(model, full_check=True)
    return model


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True)
    ap.add_argument("--a-manifest", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("--b-manifest", required=True)
    ap.add_argument("--oof-a", required=True)
    ap.add_argument("--oof-b", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--oof-out", required=True)
    ap.add_argument("--name", default="ich-cnn")
    ap.add_argument("--version", required=True)
    ap.add_argument("--fold-seed", type=int, default=2024)
    args = ap.parse_args()

    model = build(args.a, args.b)
    base = f"{args.name}-{args.version}"
    onnx_path = os.path.join(args.out, f"{base}.onnx")
    onnx.save(model, onnx_path)
    digest = hashlib.sha256(open(onnx_path, "rb").read()).hexdigest()

    pa, y, key = read_oof(args.oof_a)
    pb, yb, keyb = read_oof(args.oof_b)
    assert (y == yb).all() and (key == keyb).all(), "the members' OOF files must cover the same slices"
    oof = 1 / (1 + np.exp(-(logit(pa) + logit(pb)) / 2))
    patient = key[:, 0]
    with open(args.oof_out, "w") as f:
        f.write("patient,slice," + ",".join(f"p_{l}" for l in LABELS) + "," + ",".join(LABELS) + "\n")
        for i in range(len(y)):
            f.write(f"{key[i, 0]},{key[i, 1]}," + ",".join(f"{v:.6f}" for v in oof[i]) + "," + ",".join(str(int(v)) for v in y[i]) + "\n")

    fold = patient_folds(patient, y[:, 0], 5, args.fold_seed)
    folds = {str(k): summarise(oof[fold == k], y[fold == k], patient[fold == k]) | {"patients": int(len(np.unique(patient[fold == k])))} for k in range(5)}
    members = {"a": summarise(pa, y, patient), "b": summarise(pb, y, patient)}
    ops, op_metrics = {}, {}
    for j, l in enumerate(LABELS):
        t = threshold_for_sensitivity(oof[:, j], y[:, j], SENSITIVITY[l])
        se, sp = sens_spec(oof[:, j], y[:, j], t)
        ops[l] = {"threshold": round(t, 6), "sensitivity": round(se, 4), "specificity": round(sp, 4)}
        op_metrics[l] = {"targetSensitivity": SENSITIVITY[l], **ops[l], "positives": int(y[:, j].sum())}

    ma, mb = json.load(open(args.a_manifest)), json.load(open(args.b_manifest))
    manifest = {
        "name": args.name,
        "version": args.version,
        "file": f"{base}.onnx",
        "sha256": digest,
        "description": ("Ensemble of two residual CNNs (mean of logits), both 2.5D (brain window of the previous/this/next slice + subdural + bone "
                        "of this slice) and trained from scratch on CT-ICH (66 patients): a 128 px CAM network, and a 192 px network with a "
                        "stride-4 localization decoder trained on bleeds synthesised with masks into bleed-free slices (the maps are its). "
                        "Research software, not a medical device. See models/MODEL_CARD.md."),
        "intendedUse": "research",
        "input": {"name": mb["input"]["name"]},
        "outputs": {"probabilities": "probabilities", "cam": "cam"},
        "labels": list(LABELS),
        "preprocess": mb["preprocess"],
        "operatingPoints": ops,
        "training": {
            "data": mb["training"]["data"],
            "recipe": "models/training/README.md (recipe 1 + recipe 3, ensemble_export.py)",
            "ensemble": {
                "rule": "sigmoid of the mean of the two members' logits, equal weights (not tuned)",
                "inputNote": f"one {mb['preprocess']['inputSize']['height']} px input; member a reads its exact area resample to {ma['preprocess']['inputSize']['height']} px inside the graph (512->192->128 instead of the 512->128 it was trained on; see ensemble_check.py)",
                "mapFrom": "member b (stride-4 decoder)",
                "members": {
                    "a": {"model": f"{ma['name']} {ma['version']}", "sha256": ma["sha256"], "architecture": ma["training"]["architecture"], "oof": members["a"]},
                    "b": {"model": f"{mb['name']} {mb['version']}", "sha256": mb["sha256"], "architecture": mb["training"]["architecture"], "oof": members["b"],
                          "paintedHeldOut": mb["training"]["validation"]["oof"].get("paintedHeldOut"),
                          "boneChannelZeroed": mb["training"]["validation"]["oof"].get("boneChannelZeroed"),
                          "calibration": mb["training"].get("calibration")},
                },
            },
            "validation": {
                "scheme": "5-fold patient-level cross-validation (patients stratified on any bleed, fold seed 2024, the same folds for both members); the ensemble's out-of-fold prediction is the mean of the members' out-of-fold logits; real slices only",
                "oof": summarise(oof, y, patient),
                "folds": folds,
                "operatingPoints": op_metrics,
            },
            "onnxMB": round(os.path.getsize(onnx_path) / 1e6, 2),
            "license": "Model weights derived from CT-ICH, CC BY 4.0; attribution in models/MODEL_CARD.md",
        },
    }
    with open(os.path.join(args.out, f"{base}.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(json.dumps({"onnx": onnx_path, "sha256": digest, "MB": manifest["training"]["onnxMB"], "oof": manifest["training"]["validation"]["oof"],
                      "members": {k: {"auc": v["auc"]["any"], "studyAucMax": v["studyAuc"]["max"]} for k, v in members.items()},
                      "folds": {k: v["auc"]["any"] for k, v in folds.items()}, "ops": ops}, indent=1))


if __name__ == "__main__":
    main()
