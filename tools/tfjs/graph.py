"""Load a TF.js graph model and execute it on torch in topological order.

    graph = TfjsGraph.load("models/nanodet.json")
    (out,) = graph.run({"input_1": x}, ["Identity:0"], threads=1)

Node inputs name other nodes, optionally with an output index (`"TopKV2:1"` is the second output of node
TopKV2); inputs starting with `^` are control dependencies and carry no data. Only nodes the requested
outputs depend on are computed, and each intermediate tensor is dropped after its last use.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import numpy as np
import torch

from tools.tfjs.attrs import decode_attrs
from tools.tfjs.weights import read_weights


class TfjsGraphError(ValueError):
    """A graph that cannot be loaded or run (bad model.json, missing feed, unknown node)."""


class UnknownOpError(TfjsGraphError):
    """The graph uses an op this executor does not implement."""


def split_ref(ref: str) -> tuple[str, int]:
    """"name:1" -> ("name", 1); "name" and "name:0" -> ("name", 0)."""
    name, sep, index = ref.rpartition(":")
    if sep and index.isdigit():
        return name, int(index)
    return ref, 0


@dataclass
class GraphNode:
    """One node: `inputs` are data references ("node" or "node:k"); `attr` is decoded (see attrs.py).

    `const_inputs` holds the positions of inputs produced by Const nodes, so an op may prepare such an
    input once (a conv filter in torch layout) and keep it in `cache`.
    """

    name: str
    op: str
    inputs: list[str]
    attr: dict[str, Any] = field(default_factory=dict)
    const_inputs: frozenset[int] = frozenset()
    cache: dict[str, Any] = field(default_factory=dict)


@contextmanager
def _torch_threads(threads: int | None) -> Iterator[None]:
    if not threads:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(int(threads))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


class TfjsGraph:
    """A loaded graph: `nodes` by name, `constants` (weights) by name, `inputs` (Placeholder names)."""

    def __init__(self, nodes: Sequence[dict[str, Any]], constants: dict[str, torch.Tensor]):
        self.constants = constants
        self.nodes: dict[str, GraphNode] = {}
        for raw in nodes:
            inputs = [i for i in raw.get("input", []) if not i.startswith("^")]
            self.nodes[raw["name"]] = GraphNode(raw["name"], raw["op"], inputs, decode_attrs(raw.get("attr")))
        for node in self.nodes.values():
            consts = {i for i, ref in enumerate(node.inputs) if self._op_of(split_ref(ref)[0]) == "Const"}
            node.const_inputs = frozenset(consts)
        self.inputs = [n.name for n in self.nodes.values() if n.op == "Placeholder"]

    def _op_of(self, name: str) -> str | None:
        node = self.nodes.get(name)
        return node.op if node else None

    @classmethod
    def load(cls, model_json: str | Path) -> "TfjsGraph":
        """Read model.json and its weight shards (paths relative to the JSON file)."""
        path = Path(model_json)
        try:
            spec = json.loads(path.read_text())
            nodes = spec["modelTopology"]["node"]
            manifest = spec.get("weightsManifest", [])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise TfjsGraphError(f"{path}: not a TF.js graph model ({exc})") from None
        return cls(nodes, read_weights(manifest, path.parent))

    def _order(self, targets: Sequence[str]) -> list[str]:
        """Names of the nodes `targets` depend on, each after its inputs (iterative depth-first)."""
        order: list[str] = []
        state: dict[str, int] = {}  # 1 = on the stack, 2 = done
        for target in targets:
            stack = [(target, False)]
            while stack:
                name, expanded = stack.pop()
                if expanded:
                    state[name] = 2
                    order.append(name)
                    continue
                if state.get(name) == 2:
                    continue
                if name not in self.nodes:
                    raise TfjsGraphError(f"graph has no node {name!r}")
                if state.get(name) == 1:
                    raise TfjsGraphError(f"graph has a cycle through {name!r}")
                state[name] = 1
                stack.append((name, True))
                for ref in reversed(self.nodes[name].inputs):
                    dep = split_ref(ref)[0]
                    if state.get(dep) != 2:
                        stack.append((dep, False))
        return order

    def run(self, feeds: Mapping[str, Any], outputs: Sequence[str], threads: int | None = None) -> list[torch.Tensor]:
        """Values of `outputs` ("node" or "node:k") given `feeds` {placeholder name: array or tensor}.

        Runs under torch.inference_mode with `threads` torch threads (restored afterwards) when given.
        """
        from tools.tfjs.ops import OPS

        feed_values = {split_ref(k)[0]: v for k, v in feeds.items()}
        targets = [split_ref(o)[0] for o in outputs]
        order = self._order(targets)
        uses: dict[str, int] = {}
        for name in order:
            for ref in self.nodes[name].inputs:
                dep = split_ref(ref)[0]
                uses[dep] = uses.get(dep, 0) + 1
        keep = set(targets)
        values: dict[str, tuple[torch.Tensor, ...]] = {}
        with _torch_threads(threads), torch.inference_mode():
            for name in order:
                node = self.nodes[name]
                if node.op == "Const":
                    if name not in self.constants:
                        raise TfjsGraphError(f"constant {name!r} has no weight in the manifest")
                    values[name] = (self.constants[name],)
                elif node.op == "Placeholder":
                    if name not in feed_values:
                        raise TfjsGraphError(f"no value fed for input {name!r} (inputs: {', '.join(self.inputs)})")
                    values[name] = (_as_tensor(feed_values[name]),)
                else:
                    fn = OPS.get(node.op)
                    if fn is None:
                        raise UnknownOpError(f"TF.js op {node.op!r} (node {name!r}) is not implemented")
                    args = []
                    for ref in node.inputs:
                        dep, index = split_ref(ref)
                        args.append(values[dep][index])
                    result = fn(args, node)
                    values[name] = result if isinstance(result, tuple) else (result,)
                    for ref in node.inputs:
                        dep = split_ref(ref)[0]
                        uses[dep] -= 1
                        if uses[dep] == 0 and dep not in keep:
                            values.pop(dep, None)
            return [values[n][i] for n, i in (split_ref(o) for o in outputs)]


def _as_tensor(value: Any) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.float() if value.dtype == torch.float64 else value
    array = np.asarray(value)
    if array.dtype.kind == "f":
        return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))
    if array.dtype.kind in "iu":
        return torch.from_numpy(array.astype(np.int64))
    return torch.from_numpy(np.ascontiguousarray(array))
