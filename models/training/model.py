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


class Ensemble(nn.Module):
    """Seed ensemble (ensemble.py): the mean of the members' slice logits and of their map logits.
    The mean of the members' maps is what the viewer shows; the slice logit is the mean of the
    members' (mean + max) poolings, which for one member is exactly its map's pooling and for
    several is close to, not exactly, a pooling of the mean map."""

    def __init__(self, members: list[nn.Module]) -> None:
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        outs = [m(x) for m in self.members]
        logits = torch.stack([o[0] for o in outs]).mean(0)
        cam = torch.stack([o[1] for o in outs]).mean(0)
        return logits, cam


class Exported(nn.Module):
    """What goes into ONNX: probabilities = sigmoid(a * logits + b) [N,6], cam = sigmoid(a * cam logits + b)
    [N,6,h,w]. a, b per label (Platt scaling fitted on the out-of-fold predictions; identity when not
    given), applied to the map too, so the map stays in the units of the probability it pools to."""

    def __init__(self, net: nn.Module, scale: torch.Tensor | None = None, shift: torch.Tensor | None = None,
                 calibrate_map: bool = True) -> None:
        super().__init__()
        self.net = net
        self.register_buffer("scale", torch.ones(6) if scale is None else scale.float())
        self.register_buffer("shift", torch.zeros(6) if shift is None else shift.float())
        # False when the map is not the slice logit's own pooling (IchSegNet slice_head "cam"): the
        # slice's scaling would not mean anything on it, so the map stays sigmoid(map logits).
        self.calibrate_map = calibrate_map

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        logits, cam = self.net(x)
        a, b = self.scale, self.shift
        if not self.calibrate_map:
            return torch.sigmoid(logits * a + b), torch.sigmoid(cam)
        return torch.sigmoid(logits * a + b), torch.sigmoid(cam * a[None, :, None, None] + b[None, :, None, None])


class IchSegNet(nn.Module):
    """ICH-CNN 2: the residual encoder above with a small top-down decoder to stride 4, whose 1x1 head
    gives one logit map per label (the localization, [N, 6, H/4, W/4]). The slice logit of each label
    is the mean of the top-k map logits (k = 1 % of the map), so the slice probability is a pooling of
    the map itself: blood that lights the map raises the probability, and the map's peak is where the
    model saw it. Trained with a per-pixel loss on synthesised bleeds and on bleed-free real slices."""

    def __init__(self, in_ch: int = 5, widths: tuple[int, ...] = (24, 32, 64, 128, 160), n_labels: int = 6, dec: int = 48,
                 dropout: float = 0.1, topk_frac: float = 0.01, slice_head: str = "topk") -> None:
        super().__init__()
        if slice_head not in ("topk", "cam"):
            raise ValueError(f"slice_head must be topk or cam, not {slice_head!r}")
        w0, w1, w2, w3, w4 = widths
        self.stem = conv_bn(in_ch, w0, 2)  # /2
        self.s4 = Block(w0, w1, 2)  # /4
        self.s8 = nn.Sequential(Block(w1, w2, 2), Block(w2, w2, 1))  # /8
        self.s16 = nn.Sequential(Block(w2, w3, 2), Block(w3, w3, 1), Block(w3, w4, 1))  # /16
        self.l16 = nn.Conv2d(w4, dec, 1)
        self.l8 = nn.Conv2d(w2, dec, 1)
        self.l4 = nn.Conv2d(w1, dec, 1)
        self.f8 = conv_bn(dec, dec)
        self.f4 = conv_bn(dec, dec)
        self.drop = nn.Dropout2d(dropout)
        self.head = nn.Conv2d(dec, n_labels, 1)
        self.topk_frac = topk_frac
        # slice_head "cam" (recipe 3): the slice logit comes from a class-activation head on the
        # stride-16 features, pooled as in IchCnn (mean + max), trained on the real slice labels as
        # the shipped recipe is; the decoder map stays the localization, trained per pixel. The map
        # is then not the slice probability's own pooling, but the encoder under both is shaped by
        # the per-pixel blood targets.
        self.slice_head = slice_head
        if slice_head == "cam":
            self.cls_drop = nn.Dropout2d(0.2)
            self.cls = nn.Conv2d(w4, n_labels, 1)

    def map_topk(self, cam: torch.Tensor) -> torch.Tensor:
        """Mean of the top-k map logits per label: the map's own slice logit."""
        flat = cam.flatten(2)
        k = max(1, int(round(int(flat.shape[2]) * self.topk_frac)))  # a constant in the exported graph (fixed input size)
        return flat.topk(k, dim=2).values.mean(2)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        f4 = self.s4(self.stem(x))
        f8 = self.s8(f4)
        f16 = self.s16(f8)
        d = self.l16(f16)
        d = self.f8(nn.functional.interpolate(d, scale_factor=2.0, mode="nearest") + self.l8(f8))
        d = self.f4(nn.functional.interpolate(d, scale_factor=2.0, mode="nearest") + self.l4(f4))
        cam = self.head(self.drop(d))
        if self.slice_head == "cam":
            c16 = self.cls(self.cls_drop(f16))
            return 0.5 * (c16.mean(dim=(2, 3)) + c16.amax(dim=(2, 3))), cam
        return self.map_topk(cam), cam
