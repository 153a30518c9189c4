"""Build one-op TF.js graphs from raw JSON-like node dicts (attrs encoded as TF.js writes them)."""
from __future__ import annotations

import base64
from typing import Any

import numpy as np
import torch

from tools.tfjs import TfjsGraph


def s(text: str) -> dict[str, str]:
    """A string attr, base64-encoded as in model.json."""
    return {"s": base64.b64encode(text.encode()).decode()}


def ints(values: list[int]) -> dict[str, Any]:
    return {"list": {"i": [str(v) for v in values]}}


def strs(values: list[str]) -> dict[str, Any]:
    return {"list": {"s": [s(v)["s"] for v in values]}}


def run_op(op: str, feeds: list[np.ndarray], consts: list[np.ndarray] = (), attr: dict | None = None,
           outputs: int = 1) -> list[np.ndarray]:
    """Run `op` on inputs: first the fed arrays (Placeholders x0, x1, ...), then constants (c0, c1, ...).

    Returns `outputs` results ("op", "op:1", ...) as numpy arrays.
    """
    nodes = [{"name": f"x{i}", "op": "Placeholder", "attr": {}} for i in range(len(feeds))]
    constants = {}
    for i, c in enumerate(consts):
        nodes.append({"name": f"c{i}", "op": "Const", "attr": {}})
        c = np.asarray(c)
        constants[f"c{i}"] = torch.from_numpy(c.astype(np.int64) if c.dtype.kind in "iu" else c.astype(np.float32))
    names = [f"x{i}" for i in range(len(feeds))] + [f"c{i}" for i in range(len(consts))]
    nodes.append({"name": "op", "op": op, "input": names, "attr": attr or {}})
    graph = TfjsGraph(nodes, constants)
    refs = ["op" if k == 0 else f"op:{k}" for k in range(outputs)]
    result = graph.run({f"x{i}": f for i, f in enumerate(feeds)}, refs)
    return [r.numpy() for r in result]


def same_pads(size: int, k: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """TF SAME padding, written out independently of the code under test."""
    out = (size + stride - 1) // stride
    needed = (out - 1) * stride + (k - 1) * dilation + 1
    total = needed - size if needed > size else 0
    return total // 2, total - total // 2


def np_conv2d(x: np.ndarray, w: np.ndarray, stride: int, padding: str, dilation: int = 1) -> np.ndarray:
    """Naive NHWC convolution, filter [kh, kw, in, out]."""
    kh, kw, cin, cout = w.shape
    if padding == "SAME":
        (t, b), (l, r) = same_pads(x.shape[1], kh, stride, dilation), same_pads(x.shape[2], kw, stride, dilation)
        x = np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)))
    n, h, wd, _ = x.shape
    oh = (h - (kh - 1) * dilation - 1) // stride + 1
    ow = (wd - (kw - 1) * dilation - 1) // stride + 1
    out = np.zeros((n, oh, ow, cout), np.float64)
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b_ in range(kw):
                    pix = x[:, i * stride + a * dilation, j * stride + b_ * dilation, :]  # [n, cin]
                    out[:, i, j, :] += pix @ w[a, b_]
    return out


def np_depthwise(x: np.ndarray, w: np.ndarray, stride: int, padding: str) -> np.ndarray:
    """Naive NHWC depthwise convolution, filter [kh, kw, c, m]; output channel c * m + k."""
    kh, kw, c, m = w.shape
    outs = []
    for ch in range(c):
        for k in range(m):
            single = np_conv2d(x[..., ch:ch + 1], w[:, :, ch:ch + 1, k:k + 1], stride, padding)
            outs.append(single[..., 0])
    return np.stack(outs, axis=-1)


def np_resize_axis(x: np.ndarray, axis: int, out: int, mode: str) -> np.ndarray:
    """Linear resize along one axis: mode "legacy" (src = i * in/out), "half" ((i + .5) * in/out - .5),
    "align" (i * (in - 1)/(out - 1)); neighbours floor/ceil clamped into range."""
    n = x.shape[axis]
    slices = []
    for i in range(out):
        if mode == "align":
            src = i * (n - 1) / (out - 1) if out > 1 else 0.0
        elif mode == "half":
            src = (i + 0.5) * n / out - 0.5
        else:
            src = i * n / out
        lo, hi = min(max(int(np.floor(src)), 0), n - 1), min(max(int(np.ceil(src)), 0), n - 1)
        frac = src - np.floor(src)
        a, b = np.take(x, lo, axis=axis), np.take(x, hi, axis=axis)
        slices.append(a + (b - a) * frac)
    return np.stack(slices, axis=axis)
