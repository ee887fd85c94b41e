"""Static int8 quantisation of an ONNX CNN in QDQ form, with python3-onnx only (no onnxruntime here).

Two steps, driven by bench/quantize.ts, which runs the calibration in onnxruntime-node between them:

  augment  --onnx IN --out AUG --tensors LIST.json
      AUG = IN with every activation that will be quantised added as a graph output (the calibration
      model); LIST = those tensor names. An activation is quantised where it feeds a Conv or an Add.
  quantize --onnx IN --ranges RANGES.json --out OUT [--keep-fp32 NAME,...]
      RANGES = {tensor: [lo, hi]} measured on calibration slices. OUT = IN with
        * each Conv's weight int8, symmetric, one scale per output channel, and its bias int32 at
          scale input_scale x weight_scale (what QLinearConv wants), both behind DequantizeLinear;
        * a QuantizeLinear -> DequantizeLinear pair (uint8, asymmetric; zero point 0 after a ReLU)
          on each quantised activation, shared by all of its consumers.
      onnxruntime's graph optimiser then fuses DQ -> Conv -> Q into QLinearConv (Relu before a Q with
      zero point 0 is dropped: the uint8 range already clips at 0) and DQ -> Add -> Q into QLinearAdd;
      on a CPU with AVX-512 VNNI those run on MLAS's int8 kernels. A Conv whose output is not
      quantised (the last one: it feeds the pooling head, not a Conv or Add) keeps float weights and
      only its input is quantised, so the model's outputs are computed in float from it.

The quantised network is what PyTorch runs too in bench/inference.ts (torch_inference.py reads the
dequantised weights), so the bench compares like with like.
"""
from __future__ import annotations

import argparse
import json

import numpy as np
import onnx
from onnx import helper, numpy_helper

# Ops whose outputs may be quantised as an Add's inputs: the convolutional trunk.
TRUNK = {"Conv", "Relu", "Add"}


def consumers(graph: onnx.GraphProto) -> dict[str, list[onnx.NodeProto]]:
    out: dict[str, list[onnx.NodeProto]] = {}
    for n in graph.node:
        for i in n.input:
            out.setdefault(i, []).append(n)
    return out


def activations(model: onnx.ModelProto) -> list[str]:
    """Tensors (not initialisers) that feed a Conv's data input or a trunk Add, in graph order."""
    g = model.graph
    inits = {i.name for i in g.initializer}
    const_outputs = {o for n in g.node if n.op_type == "Constant" for o in n.output}
    producer = {o: n.op_type for n in g.node for o in n.output}
    names: list[str] = []
    for n in g.node:
        if n.op_type == "Conv":
            ins = [n.input[0]]
        elif n.op_type == "Add" and all(producer.get(t) in TRUNK for t in n.input):
            # A residual Add inside the convolutional trunk; an Add of pooled logits (the head) stays float.
            ins = list(n.input)
        else:
            continue
        for t in ins:
            if t not in inits and t not in const_outputs and t not in names:
                names.append(t)
    return names


def augment(args: argparse.Namespace) -> None:
    model = onnx.load(args.onnx)
    names = activations(model)
    # Add/Conv consumers need every activation listed; the extra outputs carry no shape (ORT infers it).
    existing = {o.name for o in model.graph.output}
    for t in names:
        if t not in existing:
            model.graph.output.append(helper.make_empty_tensor_value_info(t))
    onnx.save(model, args.out)
    with open(args.tensors, "w") as f:
        json.dump(names, f)


def after_relu(graph: onnx.GraphProto, tensor: str) -> bool:
    return any(n.op_type == "Relu" and tensor in n.output for n in graph.node)


def quantize(args: argparse.Namespace) -> None:
    model = onnx.load(args.onnx)
    g = model.graph
    ranges: dict[str, list[float]] = json.load(open(args.ranges))
    keep = set(filter(None, (args.keep_fp32 or "").split(",")))
    inits = {i.name: i for i in g.initializer}
    acts = [t for t in activations(model) if t not in keep]
    missing = [t for t in acts if t not in ranges]
    if missing:
        raise SystemExit(f"no calibration range for {missing[:3]}")

    qparams: dict[str, tuple[float, int]] = {}
    for t in acts:
        lo, hi = (float(v) for v in ranges[t])
        lo, hi = min(lo, 0.0), max(hi, 0.0)  # the range must hold 0 exactly (padding, ReLU)
        if after_relu(g, t):
            lo = 0.0
        scale = max(hi - lo, 1e-8) / 255.0
        zp = int(np.clip(round(-lo / scale), 0, 255))
        qparams[t] = (scale, zp)

    new_inits: list[onnx.TensorProto] = []
    new_nodes: list[onnx.NodeProto] = []

    def const(name: str, arr: np.ndarray) -> str:
        new_inits.append(numpy_helper.from_array(arr, name))
        return name

    # Activations: T -> Q -> DQ -> T_dq; consumers (Conv data input, Add) read T_dq.
    renamed: dict[str, str] = {}
    for t in acts:
        scale, zp = qparams[t]
        s = const(f"{t}_scale", np.array(scale, dtype=np.float32))
        z = const(f"{t}_zp", np.array(zp, dtype=np.uint8))
        new_nodes.append(helper.make_node("QuantizeLinear", [t, s, z], [f"{t}_q"], name=f"{t}_QuantizeLinear"))
        new_nodes.append(helper.make_node("DequantizeLinear", [f"{t}_q", s, z], [f"{t}_dq"], name=f"{t}_DequantizeLinear"))
        renamed[t] = f"{t}_dq"

    quantised_convs = 0
    for n in g.node:
        if n.op_type == "Conv":
            x = n.input[0]
            if x in renamed:
                n.input[0] = renamed[x]
            # Weights only where the output is quantised too (QLinearConv needs an output scale) and
            # the input is, i.e. where onnxruntime will run this convolution in int8.
            out_q = n.output[0] in qparams or any(
                c.op_type == "Relu" and c.output[0] in qparams for c in consumers(g).get(n.output[0], [])
            )
            if x not in qparams or not out_q:
                continue
            w = numpy_helper.to_array(inits[n.input[1]]).astype(np.float32)
            w_scale = np.maximum(np.abs(w.reshape(w.shape[0], -1)).max(axis=1), 1e-12) / 127.0
            wq = np.clip(np.round(w / w_scale[:, None, None, None]), -127, 127).astype(np.int8)
            base = n.input[1]
            ws = const(f"{base}_scale", w_scale.astype(np.float32))
            wz = const(f"{base}_zp", np.zeros(w.shape[0], dtype=np.int8))
            const(f"{base}_int8", wq)
            new_nodes.append(helper.make_node("DequantizeLinear", [f"{base}_int8", ws, wz], [f"{base}_dq"], name=f"{base}_DequantizeLinear", axis=0))
            n.input[1] = f"{base}_dq"
            if len(n.input) > 2 and n.input[2]:
                b = numpy_helper.to_array(inits[n.input[2]]).astype(np.float64)
                b_scale = qparams[x][0] * w_scale.astype(np.float64)
                bq = np.round(b / b_scale).astype(np.int32)
                bname = n.input[2]
                bs = const(f"{bname}_scale", b_scale.astype(np.float32))
                bz = const(f"{bname}_zp", np.zeros(w.shape[0], dtype=np.int32))
                const(f"{bname}_int32", bq)
                new_nodes.append(helper.make_node("DequantizeLinear", [f"{bname}_int32", bs, bz], [f"{bname}_dq"], name=f"{bname}_DequantizeLinear", axis=0))
                n.input[2] = f"{bname}_dq"
            quantised_convs += 1
        elif n.op_type == "Add":
            for i, t in enumerate(n.input):
                if t in renamed:
                    n.input[i] = renamed[t]

    # Topological order: each activation's Q/DQ right after its producer (inputs first).
    by_output = {n.output[0]: [] for n in g.node}
    head: list[onnx.NodeProto] = []
    for q in new_nodes:
        src = q.input[0]
        producer_key = None
        for t in acts:
            if src in (t, f"{t}_q"):
                producer_key = t
        if producer_key is not None and producer_key in by_output:
            by_output[producer_key].append(q)
        else:
            head.append(q)  # graph input's Q/DQ and the weight/bias DQs
    ordered = list(head)
    for n in g.node:
        ordered.append(n)
        ordered.extend(by_output.get(n.output[0], []))
    del g.node[:]
    g.node.extend(ordered)
    used = {i for n in g.node for i in n.input}
    kept = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(kept + [i for i in new_inits if i.name in used])
    # QuantizeLinear/DequantizeLinear with per-axis scales need opset >= 13.
    for op in model.opset_import:
        if op.domain in ("", "ai.onnx") and op.version < 13:
            op.version = 13
    onnx.checker.check_model(model)
    onnx.save(model, args.out)
    print(json.dumps({"quantisedConvs": quantised_convs, "activations": len(acts), "out": args.out}))


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("augment")
    a.add_argument("--onnx", required=True)
    a.add_argument("--out", required=True)
    a.add_argument("--tensors", required=True)
    q = sub.add_parser("quantize")
    q.add_argument("--onnx", required=True)
    q.add_argument("--ranges", required=True)
    q.add_argument("--out", required=True)
    q.add_argument("--keep-fp32", default="")
    args = ap.parse_args()
    augment(args) if args.cmd == "augment" else quantize(args)


if __name__ == "__main__":
    main()
