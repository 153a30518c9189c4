"""Shape and indexing ops of TF graphs on torch tensors: Shape, Size, Fill, Range, Pack, Unpack, Split,
Squeeze, Tile, GatherNd, Select.

Shapes and sizes come back as int64 tensors (the executor's one integer type). Ops with several outputs
(Unpack, Split) return tuples. Every op function takes (inputs: list[Tensor], node: GraphNode).
"""
from __future__ import annotations

from typing import Callable

import torch

from tools.tfjs.graph import GraphNode

ArrayOp = Callable[[list[torch.Tensor], GraphNode], "torch.Tensor | tuple[torch.Tensor, ...]"]


def _scalar(t: torch.Tensor) -> float | int:
    return t.reshape(-1)[0].item()


def shape(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    return torch.tensor(list(inputs[0].shape), dtype=torch.int64)


def size(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    return torch.tensor(inputs[0].numel(), dtype=torch.int64)


def fill(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    """Fill(dims, value): a tensor of shape `dims` holding `value` (of value's dtype)."""
    dims = [int(v) for v in inputs[0].reshape(-1).tolist()]
    return torch.full(dims, _scalar(inputs[1]), dtype=inputs[1].dtype)


def range_op(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    """Range(start, limit, delta), int64 when all three are integers."""
    start, limit, delta = inputs
    floating = any(t.is_floating_point() for t in inputs)
    dtype = torch.float32 if floating else torch.int64
    return torch.arange(_scalar(start), _scalar(limit), _scalar(delta), dtype=dtype)


def pack(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    """Pack(values...): stack along attr `axis` (TF's tf.stack)."""
    return torch.stack(inputs, dim=int(node.attr.get("axis", 0)))


def unpack(inputs: list[torch.Tensor], node: GraphNode) -> tuple[torch.Tensor, ...]:
    return tuple(torch.unbind(inputs[0], dim=int(node.attr.get("axis", 0))))


def split(inputs: list[torch.Tensor], node: GraphNode) -> tuple[torch.Tensor, ...]:
    """Split(axis, value) into attr `num_split` equal parts (note: the axis is the first input)."""
    axis, x = int(_scalar(inputs[0])), inputs[1]
    return tuple(torch.chunk(x, int(node.attr["num_split"]), dim=axis))


def squeeze(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    """Drop the size-1 axes listed in attr `squeeze_dims` (all size-1 axes when it is empty)."""
    x = inputs[0]
    dims = node.attr.get("squeeze_dims") or [i for i, n in enumerate(x.shape) if n == 1]
    keep = [n for i, n in enumerate(x.shape) if i not in {d % x.dim() for d in dims}]
    return x.reshape(keep)


def tile(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    return inputs[0].repeat(*[int(v) for v in inputs[1].reshape(-1).tolist()])


def gather_nd(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    """GatherNd(params, indices): indices [..., k] pick params[i0, ..., ik-1]; the result has shape
    indices.shape[:-1] + params.shape[k:]."""
    params, indices = inputs[0], inputs[1].long()
    k = indices.shape[-1]
    flat = indices.reshape(-1, k)
    picked = params[tuple(flat[:, j] for j in range(k))]
    return picked.reshape(list(indices.shape[:-1]) + list(params.shape[k:]))


def select(inputs: list[torch.Tensor], node: GraphNode) -> torch.Tensor:
    """Select(cond, t, e). A rank-1 cond with higher-rank t picks whole rows (TF's Select), else it
    broadcasts (SelectV2)."""
    cond, a, b = inputs
    if cond.dim() == 1 and a.dim() > 1:
        cond = cond.reshape([-1] + [1] * (a.dim() - 1))
    return torch.where(cond.bool(), a, b)


ARRAY_OPS: dict[str, ArrayOp] = {
    "Shape": shape,
    "Size": size,
    "Fill": fill,
    "Range": range_op,
    "Pack": pack,
    "Unpack": unpack,
    "Split": split,
    "Squeeze": squeeze,
    "Tile": tile,
    "GatherNd": gather_nd,
    "Select": select,
    "SelectV2": select,
}
