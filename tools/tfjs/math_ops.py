"""Elementwise maths, comparisons, reductions and matrix products of TF graphs, on torch tensors.

Reductions take the axes as their second input (a scalar or a list; negative counts from the end) and the
`keep_dims` attr. ArgMax returns int64 (the executor's one integer type). `_FusedMatMul` is MatMul
(with `transpose_a` / `transpose_b`) followed by `fused_ops` such as ["BiasAdd", "Relu"].
Every op function takes (inputs: list[Tensor], node: GraphNode) and returns a Tensor.
"""
from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

from tools.tfjs.graph import GraphNode, UnknownOpError

MathOp = Callable[[list[torch.Tensor], GraphNode], torch.Tensor]


def _axes(t: torch.Tensor, rank: int) -> tuple[int, ...]:
    return tuple(sorted({int(a) % rank for a in t.reshape(-1).tolist()})) if rank else ()


def _reduce(fn: Callable[..., torch.Tensor]) -> MathOp:
    def op(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
        x, keep = inputs[0], bool(node.attr.get("keep_dims", False))
        axes = _axes(inputs[1], x.dim())
        if not axes:
            return x
        return fn(x, dim=axes, keepdim=keep)
    return op


def _amax(x: torch.Tensor, dim: tuple[int, ...], keepdim: bool) -> torch.Tensor:
    return torch.amax(x, dim=dim, keepdim=keepdim)


def arg_max(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    """ArgMax(x, axis): index of the largest value along one axis (the axis is removed)."""
    axis = int(inputs[1].reshape(-1)[0])
    return torch.argmax(inputs[0], dim=axis).long()


def real_div(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    """True division; integer operands divide as floats (TF forbids RealDiv on ints anyway)."""
    a, b = inputs
    return a / b if a.is_floating_point() or b.is_floating_point() else a.double().div(b.double()).float()


def add_n(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    out = inputs[0]
    for x in inputs[1:]:
        out = out + x
    return out


def softmax(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    """Softmax over the last axis, as TF's Softmax."""
    return torch.softmax(inputs[0].float(), dim=-1)


def fused_mat_mul(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    a, b = inputs[0], inputs[1]
    if node.attr.get("transpose_a", False):
        a = a.transpose(-1, -2)
    if node.attr.get("transpose_b", False):
        b = b.transpose(-1, -2)
    y = a @ b
    ops, extra = list(node.attr.get("fused_ops", [])), list(inputs[2:])
    for name in ops:
        if name == "BiasAdd":
            y, extra = y + extra[0], extra[1:]
        elif name == "Relu":
            y = F.relu(y)
        elif name == "Relu6":
            y = y.clamp(0.0, 6.0)
        elif name == "Sigmoid":
            y = torch.sigmoid(y)
        elif name == "Tanh":
            y = torch.tanh(y)
        elif name == "Elu":
            y = F.elu(y)
        elif name == "LeakyRelu":
            y = F.leaky_relu(y, float(node.attr.get("leakyrelu_alpha", 0.2)))
        else:
            raise UnknownOpError(f"fused op {name!r} of node {node.name!r} is not implemented")
    return y


def mat_mul(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    return fused_mat_mul(inputs[:2], GraphNode(node.name, node.op, node.inputs[:2], {
        k: v for k, v in node.attr.items() if k in ("transpose_a", "transpose_b")}))


def _unary(fn: Callable[[torch.Tensor], torch.Tensor]) -> MathOp:
    return lambda inputs, node: fn(inputs[0])


def _binary(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> MathOp:
    return lambda inputs, node: fn(inputs[0], inputs[1])


MATH_OPS: dict[str, MathOp] = {
    "Abs": _unary(torch.abs),
    "Exp": _unary(torch.exp),
    "Sqrt": _unary(torch.sqrt),
    "Rsqrt": _unary(torch.rsqrt),
    "Reciprocal": _unary(torch.reciprocal),
    "Tanh": _unary(torch.tanh),
    "Neg": _unary(torch.neg),
    "Square": _unary(torch.square),
    "Softmax": softmax,
    "RealDiv": real_div,
    "Maximum": _binary(torch.maximum),
    "Minimum": _binary(torch.minimum),
    "SquaredDifference": _binary(lambda a, b: (a - b) * (a - b)),
    "Greater": _binary(torch.gt),
    "GreaterEqual": _binary(torch.ge),
    "Less": _binary(torch.lt),
    "LessEqual": _binary(torch.le),
    "LogicalAnd": _binary(torch.logical_and),
    "LogicalOr": _binary(torch.logical_or),
    "AddN": add_n,
    "Sum": _reduce(torch.sum),
    "Max": _reduce(_amax),
    "ArgMax": arg_max,
    "MatMul": mat_mul,
    "_FusedMatMul": fused_mat_mul,
}
