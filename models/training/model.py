"""ICH-CNN: a small residual CNN for per-slice hemorrhage classification with class activation maps.

Input  [N, C, H, W] float32 (C = manifest windows, H = W = 128 by default).
Output logits [N, 6] and cam_logits [N, 6, H/16, W/16].

The head is a class activation map: a 1x1 convolution (the classifier) is applied to the last
convolutional features at every position, giving one logit map per label. The slice logit is the
mean of (spatial average + spatial max) of that map, so every slice probability is literally a
pooling of its CAM, and the exported `cam` = sigmoid(cam_logits) is a per-position probability
in the same units as the slice probability.
"""
from __future__ import annotations

import torch
from torch import nn


def conv_bn(cin: int, cout: int, stride: int = 1, k: int = 3) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Block(nn.Module):
    """Basic residual block (two 3x3 convs), strided projection when shape changes."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.c1 = conv_bn(cin, cout, stride)
        self.c2 = nn.Sequential(nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = x if self.proj is None else self.proj(x)
        return self.act(self.c2(self.c1(x)) + s)


class IchCnn(nn.Module):
    def __init__(self, in_ch: int = 5, widths: tuple[int, ...] = (24, 32, 64, 128, 192), n_labels: int = 6, dropout: float = 0.2) -> None:
        super().__init__()
        w0, w1, w2, w3, w4 = widths
        self.stem = conv_bn(in_ch, w0, 2)  # /2
        self.stages = nn.Sequential(
            Block(w0, w1, 2),  # /4
            Block(w1, w2, 2),  # /8
            Block(w2, w2, 1),
            Block(w2, w3, 2),  # /16
            Block(w3, w3, 1),
            Block(w3, w4, 1),
        )
        self.drop = nn.Dropout2d(dropout)
        self.classifier = nn.Conv2d(w4, n_labels, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        f = self.stages(self.stem(x))
        cam = self.classifier(self.drop(f))
        logits = 0.5 * (cam.mean(dim=(2, 3)) + cam.amax(dim=(2, 3)))
        return logits, cam


class Exported(nn.Module):
    """What goes into ONNX: probabilities = sigmoid(logits) [N,6], cam = sigmoid(cam logits) [N,6,h,w]."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        logits, cam = self.net(x)
        return torch.sigmoid(logits), torch.sigmoid(cam)
