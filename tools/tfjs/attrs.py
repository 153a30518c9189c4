"""Decoding of TF.js node attributes (the JSON form of TensorFlow `AttrValue`).

String attrs (`s`) are base64-encoded bytes; integers (`i`) are decimal strings; lists hold one kind.
`decode_attrs(node["attr"])` returns plain Python values: str, int, float, bool, a dtype name such as
"DT_FLOAT", a shape as a list of ints (-1 for unknown), or a list of those.
"""
from __future__ import annotations

import base64
from typing import Any

_LIST_KEYS = ("s", "i", "f", "b", "type", "shape", "tensor", "func")


def _decode_s(value: str) -> str:
    return base64.b64decode(value).decode("utf-8", errors="replace")


def _decode_shape(shape: dict[str, Any]) -> list[int]:
    if shape.get("unknownRank"):
        return []
    return [int(d.get("size", 0)) for d in shape.get("dim", [])]


def decode_value(value: dict[str, Any]) -> Any:
    """One AttrValue dict -> a Python value (a tensor attr is returned as its raw dict)."""
    if "s" in value:
        return _decode_s(value["s"])
    if "i" in value:
        return int(value["i"])
    if "f" in value:
        return float(value["f"])
    if "b" in value:
        return bool(value["b"])
    if "type" in value:
        return str(value["type"])
    if "shape" in value:
        return _decode_shape(value["shape"])
    if "list" in value:
        items = value["list"]
        for key in _LIST_KEYS:
            if key in items:
                return [decode_value({key: v}) for v in items[key]]
        return []
    if "tensor" in value:
        return value["tensor"]
    return None


def decode_attrs(attr: dict[str, dict[str, Any]] | None) -> dict[str, Any]:
    """A node's `attr` mapping -> {name: Python value}."""
    return {name: decode_value(value) for name, value in (attr or {}).items()}
