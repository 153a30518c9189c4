"""Reading the weights of a TF.js model: `weightsManifest` groups of binary shards.

Each manifest group lists shard files (`paths`, relative to model.json) and weight entries
{name, shape, dtype, quantization?}; the bytes of a group are its shards concatenated, and entries follow
each other in order. Stored dtypes: float32, int32, bool, and quantized float32 held as float16
(`quantization.dtype == "float16"`) or as uint8/uint16 with `scale` and `min` (value = q * scale + min).
Floats come back as float32 torch tensors, integers as int64, bools as bool.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

_NUMPY = {"float32": np.float32, "float16": np.float16, "int32": np.int32, "uint8": np.uint8,
          "uint16": np.uint16, "int8": np.int8, "int16": np.int16, "bool": np.bool_}


class WeightFormatError(ValueError):
    """The manifest and the shard bytes disagree, or a dtype is not supported."""


def _decode_entry(buf: bytes, offset: int, entry: dict[str, Any]) -> tuple[torch.Tensor, int]:
    shape = [int(d) for d in entry.get("shape", [])]
    count = int(np.prod(shape)) if shape else 1
    quant = entry.get("quantization")
    stored = quant["dtype"] if quant else entry["dtype"]
    if stored not in _NUMPY:
        raise WeightFormatError(f"weight {entry['name']!r}: unsupported stored dtype {stored!r}")
    np_dtype = np.dtype(_NUMPY[stored])
    nbytes = count * np_dtype.itemsize
    if offset + nbytes > len(buf):
        raise WeightFormatError(f"weight {entry['name']!r} runs past the end of the weight shards")
    raw = np.frombuffer(buf, dtype=np_dtype, count=count, offset=offset).reshape(shape)
    if quant and stored in ("uint8", "uint16"):
        values = raw.astype(np.float32) * np.float32(quant["scale"]) + np.float32(quant["min"])
    elif quant and stored == "float16":
        values = raw.astype(np.float32)
    else:
        values = raw
    target = entry["dtype"]
    if target in ("float32", "float16"):
        out = torch.from_numpy(np.array(values, dtype=np.float32))
    elif target == "bool":
        out = torch.from_numpy(np.array(values, dtype=np.bool_))
    else:
        out = torch.from_numpy(np.array(values, dtype=np.int64))
    return out, offset + nbytes


def read_weights(manifest: list[dict[str, Any]], folder: Path) -> dict[str, torch.Tensor]:
    """{weight name: tensor} from a `weightsManifest` whose shard paths are relative to `folder`."""
    weights: dict[str, torch.Tensor] = {}
    for group in manifest:
        buf = b"".join((Path(folder) / p).read_bytes() for p in group["paths"])
        offset = 0
        for entry in group["weights"]:
            weights[entry["name"]], offset = _decode_entry(buf, offset, entry)
        if offset != len(buf):
            raise WeightFormatError(f"weight shards {group['paths']} hold {len(buf)} bytes, "
                                    f"the manifest describes {offset}")
    return weights
