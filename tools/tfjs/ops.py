"""The op table `OPS` {TF op name: fn(inputs, node) -> Tensor | tuple}: casts, slicing and reshaping here,
spatial ops (convolutions, pooling, resize, pad) in nn_ops.py, maths and reductions in math_ops.py, shape
and indexing ops in array_ops.py.

Integer tensors are int64 (TF.js stores int64 shape constants as int32; both read as int64 here). Ops
with several outputs (SplitV, TopKV2) return tuples; graph.py resolves "node:k" references into them.
"""
from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

from tools.tfjs.graph import GraphNode, UnknownOpError
from tools.tfjs.array_ops import ARRAY_OPS
from tools.tfjs.math_ops import MATH_OPS
from tools.tfjs.nn_ops import NN_OPS

OpFn = Callable[[list[torch.Tensor], GraphNode], "torch.Tensor | tuple[torch.Tensor, ...]"]

_DTYPES = {"DT_FLOAT": torch.float32, "DT_HALF": torch.float32, "DT_DOUBLE": torch.float32,
           "DT_INT32": torch.int64, "DT_INT64": torch.int64, "DT_INT8": torch.int64, "DT_UINT8": torch.int64,
           "DT_INT16": torch.int64, "DT_BOOL": torch.bool}


def _ints(t: torch.Tensor) -> list[int]:
    return [int(v) for v in t.reshape(-1).tolist()]


def _axis(t: torch.Tensor) -> int:
    return int(t.reshape(-1)[0])


def cast(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    dst = node.attr.get("DstT", "DT_FLOAT")
    if dst not in _DTYPES:
        raise UnknownOpError(f"Cast to {dst} (node {node.name!r})")
    return inputs[0].to(_DTYPES[dst])


def floor_div(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    return torch.div(inputs[0], inputs[1], rounding_mode="floor")


def floor_mod(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    """Result takes the sign of the divisor, as TF FloorMod (= torch.remainder)."""
    return torch.remainder(inputs[0], inputs[1])


def mean(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    axes = _ints(inputs[1])
    if not axes:
        return inputs[0].float()
    return inputs[0].float().mean(dim=tuple(axes), keepdim=bool(node.attr.get("keep_dims", False)))


def concat_v2(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    """ConcatV2(values..., axis): the last input is the axis."""
    return torch.cat(inputs[:-1], dim=_axis(inputs[-1]))


def reshape(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    return inputs[0].reshape(_ints(inputs[1]))


def transpose(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    return inputs[0].permute(*_ints(inputs[1]))


def expand_dims(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    dim = _axis(inputs[1])
    return inputs[0].unsqueeze(dim if dim >= 0 else dim + inputs[0].dim() + 1)


def split_v(inputs: list[torch.Tensor], node: GraphNode) -> tuple[torch.Tensor, ...]:
    """SplitV(value, size_splits, axis); one size may be -1 (the rest)."""
    x, sizes, axis = inputs[0], _ints(inputs[1]), _axis(inputs[2])
    if -1 in sizes:
        rest = x.shape[axis] - sum(s for s in sizes if s != -1)
        sizes = [rest if s == -1 else s for s in sizes]
    return tuple(torch.split(x, sizes, dim=axis))


def gather_v2(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    """GatherV2(params, indices, axis) with batch_dims 0: shape params[:axis] + indices + params[axis+1:]."""
    if int(node.attr.get("batch_dims", 0)) != 0:
        raise UnknownOpError(f"GatherV2 with batch_dims != 0 (node {node.name!r})")
    params, indices, axis = inputs[0], inputs[1].long(), _axis(inputs[2])
    axis = axis if axis >= 0 else axis + params.dim()
    out = params.index_select(axis, indices.reshape(-1))
    return out.reshape(list(params.shape[:axis]) + list(indices.shape) + list(params.shape[axis + 1:]))


def top_k_v2(inputs: list[torch.Tensor], node: GraphNode) -> tuple[torch.Tensor, torch.Tensor]:
    """(values, indices) of the k largest along the last axis, largest first."""
    values, indices = torch.topk(inputs[0], _axis(inputs[1]), dim=-1, largest=True, sorted=True)
    return values, indices


def sparse_to_dense(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    """SparseToDense(indices, output_shape, values, default): `default` everywhere, `values` at `indices`
    (indices may be empty, shape [0] or [0, rank]: NanoDet builds reshape targets that way)."""
    indices, shape, values, default = inputs
    dims = _ints(shape)
    out = torch.full(dims, default.reshape(-1)[0].item(), dtype=values.dtype)
    if indices.numel() == 0:
        return out
    idx = indices.long().reshape(-1, 1) if indices.dim() < 2 else indices.long()
    vals = values.reshape(-1).expand(idx.shape[0]) if values.numel() == 1 else values.reshape(-1)
    out[tuple(idx.t())] = vals
    return out


def strided_slice(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    """StridedSlice(x, begin, end, strides) with begin/end/ellipsis/new_axis/shrink_axis masks."""
    x = inputs[0]
    begin, end, strides = _ints(inputs[1]), _ints(inputs[2]), _ints(inputs[3])
    masks = {k: int(node.attr.get(k, 0)) for k in ("begin_mask", "end_mask", "ellipsis_mask",
                                                   "new_axis_mask", "shrink_axis_mask")}
    n_spec = len(begin)
    real = sum(1 for i in range(n_spec) if not (masks["new_axis_mask"] >> i) & 1
               and not (masks["ellipsis_mask"] >> i) & 1)
    out, axis = x, 0  # axis: the position in `out` of the next input dimension to handle
    for i in range(n_spec):
        bit = 1 << i
        if masks["ellipsis_mask"] & bit:
            axis += x.dim() - real
        elif masks["new_axis_mask"] & bit:
            out = out.unsqueeze(axis)
            axis += 1
        elif masks["shrink_axis_mask"] & bit:
            index = begin[i] + out.shape[axis] if begin[i] < 0 else begin[i]
            out = out.select(axis, index)
        else:
            start = None if masks["begin_mask"] & bit else begin[i]
            stop = None if masks["end_mask"] & bit else end[i]
            picked = range(*slice(start, stop, strides[i]).indices(out.shape[axis]))
            if strides[i] == 1:
                out = out.narrow(axis, picked.start, len(picked))
            else:
                out = out.index_select(axis, torch.tensor(list(picked), dtype=torch.long))
            axis += 1
    return out


def _unary(fn: Callable[[torch.Tensor], torch.Tensor]) -> OpFn:
    return lambda inputs, node: fn(inputs[0])


def _binary(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> OpFn:
    return lambda inputs, node: fn(inputs[0], inputs[1])


OPS: dict[str, OpFn] = {
    **NN_OPS,
    **MATH_OPS,
    **ARRAY_OPS,
    "Identity": _unary(lambda x: x),
    "Relu": _unary(F.relu),
    "Relu6": _unary(lambda x: x.clamp(0.0, 6.0)),
    "Sigmoid": _unary(torch.sigmoid),
    "LeakyRelu": lambda inputs, node: F.leaky_relu(inputs[0], float(node.attr.get("alpha", 0.2))),
    "Add": _binary(torch.add),
    "AddV2": _binary(torch.add),
    "Sub": _binary(torch.sub),
    "Mul": _binary(torch.mul),
    "Equal": _binary(torch.eq),
    "FloorDiv": floor_div,
    "FloorMod": floor_mod,
    "Cast": cast,
    "Mean": mean,
    "ConcatV2": concat_v2,
    "Reshape": reshape,
    "Transpose": transpose,
    "ExpandDims": expand_dims,
    "SplitV": split_v,
    "GatherV2": gather_v2,
    "TopKV2": top_k_v2,
    "SparseToDense": sparse_to_dense,
    "StridedSlice": strided_slice,
}
