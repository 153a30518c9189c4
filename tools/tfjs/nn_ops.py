"""Spatial TF ops on NHWC tensors: convolutions (plain, depthwise, fused), MaxPool, ResizeBilinear, Pad.

TF "SAME" padding is asymmetric: the total padding max((ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0) is
split with the smaller half before (top/left) and the larger after (bottom/right); MaxPool pads with -inf.
Conv filters are [kh, kw, in, out] (torch wants [out, in, kh, kw]); depthwise filters are
[kh, kw, channels, multiplier] and output channel c * multiplier + m comes from input channel c.
Every op function takes (inputs: list[Tensor], node: GraphNode) and returns a Tensor or a tuple.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from tools.tfjs.graph import GraphNode, UnknownOpError


def same_padding(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """(before, after) padding of TF "SAME" along one axis of length `size`."""
    out = -(-size // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def _hw(values: list[int], name: str) -> tuple[int, int]:
    if len(values) != 4 or values[0] != 1 or values[3] != 1:
        raise UnknownOpError(f"{name} {values} is not of the NHWC form [1, h, w, 1]")
    return int(values[1]), int(values[2])


def _pad_nchw(x: torch.Tensor, node: GraphNode, kh: int, kw: int, sh: int, sw: int, dh: int, dw: int,
              value: float = 0.0) -> torch.Tensor:
    padding = node.attr.get("padding", "VALID")
    if padding == "VALID":
        return x
    if padding == "SAME":
        top, bottom = same_padding(x.shape[2], kh, sh, dh)
        left, right = same_padding(x.shape[3], kw, sw, dw)
    elif padding == "EXPLICIT":
        p = [int(v) for v in node.attr.get("explicit_paddings", [])]
        top, bottom, left, right = p[2], p[3], p[4], p[5]
    else:
        raise UnknownOpError(f"padding {padding!r} of node {node.name!r}")
    if not (top or bottom or left or right):
        return x
    return F.pad(x, (left, right, top, bottom), value=value)


def _check_nhwc(node: GraphNode) -> None:
    fmt = node.attr.get("data_format", "NHWC")
    if fmt != "NHWC":
        raise UnknownOpError(f"data_format {fmt!r} of node {node.name!r} (only NHWC is implemented)")


def _filter(node: GraphNode, w: torch.Tensor, depthwise: bool) -> torch.Tensor:
    """The filter in torch layout, prepared once when it is a graph constant."""
    cached = node.cache.get("filter")
    if cached is not None:
        return cached
    if depthwise:
        kh, kw, c, m = w.shape
        out = w.permute(2, 3, 0, 1).reshape(c * m, 1, kh, kw).contiguous()
    else:
        out = w.permute(3, 2, 0, 1).contiguous()
    if 1 in node.const_inputs:
        node.cache["filter"] = out
    return out


def _activation(y: torch.Tensor, name: str, node: GraphNode, extra: list[torch.Tensor]) -> torch.Tensor:
    if name == "Relu":
        return F.relu(y)
    if name == "Relu6":
        return y.clamp(0.0, 6.0)
    if name == "Elu":
        return F.elu(y)
    if name == "Sigmoid":
        return torch.sigmoid(y)
    if name == "Tanh":
        return torch.tanh(y)
    if name == "LeakyRelu":
        return F.leaky_relu(y, float(node.attr.get("leakyrelu_alpha", 0.2)))
    if name == "Prelu" and extra:
        return torch.where(y >= 0, y, y * extra[0])
    raise UnknownOpError(f"fused op {name!r} of node {node.name!r} is not implemented")


def _conv(inputs: list[torch.Tensor], node: GraphNode, depthwise: bool, fused: bool) -> torch.Tensor:
    _check_nhwc(node)
    x, w = inputs[0], inputs[1]
    sh, sw = _hw(node.attr.get("strides", [1, 1, 1, 1]), "strides")
    dh, dw = _hw(node.attr.get("dilations", [1, 1, 1, 1]), "dilations")
    weight = _filter(node, w, depthwise)
    kh, kw = weight.shape[2], weight.shape[3]
    xc = _pad_nchw(x.permute(0, 3, 1, 2), node, kh, kw, sh, sw, dh, dw)
    groups = x.shape[3] if depthwise else 1
    ops = list(node.attr.get("fused_ops", [])) if fused else []
    bias = None
    extra = list(inputs[2:])
    if ops and ops[0] == "BiasAdd":
        bias, extra, ops = extra[0], extra[1:], ops[1:]
    elif ops:
        raise UnknownOpError(f"fused op {ops[0]!r} of node {node.name!r} is not implemented")
    y = F.conv2d(xc, weight, bias, stride=(sh, sw), dilation=(dh, dw), groups=groups)
    y = y.permute(0, 2, 3, 1)
    for name in ops:
        y = _activation(y, name, node, extra)
    return y


def conv2d(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    return _conv(inputs, node, depthwise=False, fused=False)


def fused_conv2d(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    return _conv(inputs, node, depthwise=False, fused=True)


def depthwise_conv2d(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    return _conv(inputs, node, depthwise=True, fused=False)


def fused_depthwise_conv2d(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    return _conv(inputs, node, depthwise=True, fused=True)


def max_pool(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    _check_nhwc(node)
    kh, kw = _hw(node.attr["ksize"], "ksize")
    sh, sw = _hw(node.attr.get("strides", [1, 1, 1, 1]), "strides")
    x = _pad_nchw(inputs[0].permute(0, 3, 1, 2), node, kh, kw, sh, sw, 1, 1, value=-math.inf)
    return F.max_pool2d(x, (kh, kw), (sh, sw)).permute(0, 2, 3, 1)


def _resize_axis(x: torch.Tensor, dim: int, out_size: int, align_corners: bool, half_pixel: bool) -> torch.Tensor:
    """Linear interpolation along `dim` with TF's source-coordinate rules (see resize_bilinear)."""
    in_size = x.shape[dim]
    if align_corners and out_size > 1:
        scale = (in_size - 1) / (out_size - 1)
    else:
        scale = in_size / out_size
    dst = torch.arange(out_size, dtype=torch.float64)
    src = (dst + 0.5) * scale - 0.5 if half_pixel else dst * scale
    floor = torch.floor(src)
    lower = floor.clamp(min=0).long().clamp(max=in_size - 1)
    upper = torch.ceil(src).long().clamp(min=0, max=in_size - 1)
    frac = (src - floor).to(x.dtype)
    shape = [1] * x.dim()
    shape[dim] = out_size
    frac = frac.reshape(shape)
    a, b = x.index_select(dim, lower), x.index_select(dim, upper)
    return a + (b - a) * frac


def resize_bilinear(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    """NHWC resize to `size` [h, w]. Source coordinate of output pixel i: align_corners: i * (in-1)/(out-1);
    half_pixel_centers: (i + 0.5) * in/out - 0.5; otherwise (legacy TF): i * in/out. Neighbours are
    floor and ceil of it, clamped into the image."""
    x, size = inputs[0], [int(v) for v in inputs[1].reshape(-1).tolist()]
    align = bool(node.attr.get("align_corners", False))
    half = bool(node.attr.get("half_pixel_centers", False))
    y = _resize_axis(x.float(), 1, size[0], align, half)
    return _resize_axis(y, 2, size[1], align, half)


def _pad(x: torch.Tensor, paddings: torch.Tensor, value: float) -> torch.Tensor:
    pairs = paddings.reshape(-1, 2).tolist()
    flat: list[int] = []
    for before, after in reversed(pairs):
        flat += [int(before), int(after)]
    return F.pad(x, flat, value=value)


def pad(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    """Pad with zeros; paddings [[before, after] per dimension]."""
    return _pad(inputs[0], inputs[1], 0.0)


def pad_v2(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    """Pad with the scalar `constant_values` input (NanoDet pads with -inf before its MaxPool)."""
    return _pad(inputs[0], inputs[1], float(inputs[2].reshape(-1)[0]))


NN_OPS = {
    "Conv2D": conv2d,
    "_FusedConv2D": fused_conv2d,
    "DepthwiseConv2dNative": depthwise_conv2d,
    "FusedDepthwiseConv2dNative": fused_depthwise_conv2d,
    "MaxPool": max_pool,
    "ResizeBilinear": resize_bilinear,
    "Pad": pad,
    "PadV2": pad_v2,
}
