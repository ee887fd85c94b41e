"""Writes a tiny ONNX model with the same contract as the real one, for fast engine tests.

input [N,3,32,32] float32 -> probabilities [N,6] (sigmoid of a linear map of channel means)
                           -> cam [N,6,8,8] (sigmoid of a 1x1 conv, average-pooled 4x4)
Deterministic weights, so tests can assert exact probabilities.
Run: /usr/bin/python3 models/test-model/make_tiny_model.py
"""
import hashlib
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
NAME, VERSION = "tiny-test", "0.1.0"

# Each label's logit = w . mean(channel) + b; chosen so channel means map to distinct outputs.
W = np.array([[4.0, 1.0, -1.0, 0.5, 2.0, -2.0],
              [0.0, 3.0, 1.0, -0.5, -1.0, 1.0],
              [-2.0, 0.0, 2.0, 1.0, 0.0, 0.5]], dtype=np.float32)
B = np.array([-2.0, -1.0, 0.0, 0.5, -0.5, 1.0], dtype=np.float32)
CONV_W = W.T.reshape(6, 3, 1, 1).copy()

nodes = [
    helper.make_node("GlobalAveragePool", ["input"], ["pooled"]),
    helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
    helper.make_node("Gemm", ["flat", "W", "B"], ["logits"]),
    helper.make_node("Sigmoid", ["logits"], ["probabilities"]),
    helper.make_node("Conv", ["input", "conv_w"], ["cam_full"], kernel_shape=[1, 1]),
    helper.make_node("AveragePool", ["cam_full"], ["cam_pooled"], kernel_shape=[4, 4], strides=[4, 4]),
    helper.make_node("Sigmoid", ["cam_pooled"], ["cam"]),
]
graph = helper.make_graph(
    nodes,
    "tiny_ich",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 32, 32])],
    [
        helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 6]),
        helper.make_tensor_value_info("cam", TensorProto.FLOAT, ["N", 6, 8, 8]),
    ],
    initializer=[numpy_helper.from_array(W, "W"), numpy_helper.from_array(B, "B"),
                 numpy_helper.from_array(CONV_W, "conv_w")],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="ich-triage-tests")
model.ir_version = 8
onnx.checker.check_model(model)
path = os.path.join(HERE, f"{NAME}-{VERSION}.onnx")
onnx.save(model, path)
digest = hashlib.sha256(open(path, "rb").read()).hexdigest()

manifest = {
    "name": NAME,
    "version": VERSION,
    "file": f"{NAME}-{VERSION}.onnx",
    "sha256": digest,
    "description": "Tiny deterministic model for engine tests. Not trained; never use on patients.",
    "input": {"name": "input"},
    "outputs": {"probabilities": "probabilities", "cam": "cam"},
    "labels": ["any", "epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural"],
    "preprocess": {
        "windows": [{"name": "brain", "center": 40, "width": 80},
                    {"name": "subdural", "center": 80, "width": 200},
                    {"name": "bone", "center": 600, "width": 2800}],
        "inputSize": {"height": 32, "width": 32},
        "resize": "area",
        "normalisation": {"mean": [0, 0, 0], "std": [1, 1, 1]},
    },
    "operatingPoints": {label: {"threshold": 0.5} for label in
                        ["any", "epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural"]},
}
with open(os.path.join(HERE, f"{NAME}-{VERSION}.json"), "w") as f:
    json.dump(manifest, f, indent=2)
    f.write("\n")
print(path, digest)
