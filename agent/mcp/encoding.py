"""How the MCP server encodes what it returns: plain JSON values, PNG bytes of masks and overlays, mask URIs.

    jsonable({"box": np.array([1, 2, 3, 4])})   -> {"box": [1, 2, 3, 4]}
    png_bytes(mask)                              -> PNG bytes (bool (H, W) -> 0/255 grey)
    mask_uri("kitchen-1", 2)                     -> "pixelrist://conversations/kitchen-1/turns/2/mask.png"
"""
from __future__ import annotations

import io
import json
from typing import Any

OVERLAY_MAX_SIDE = 1024  # the overlay image block is scaled down to this longest side
MASK_URI = "pixelrist://conversations/{conversation_id}/turns/{turn}/mask.png"


def jsonable(value: Any) -> Any:
    """Plain JSON types (numpy scalars and arrays, tuples, paths become numbers, lists, strings)."""
    return json.loads(json.dumps(value, default=_default))


def _default(obj: Any) -> Any:
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if hasattr(obj, "item"):
        return obj.item()
    return str(obj)


def mask_uri(conversation_id: str, turn: int) -> str:
    return MASK_URI.format(conversation_id=conversation_id, turn=int(turn))


def png_bytes(pixels: Any, max_side: int | None = None, compress_level: int = 6) -> bytes:
    """An (H, W) bool/uint8 or (H, W, 3) uint8 array as PNG bytes, scaled down to `max_side` when given
    (compress_level 1 writes a photo overlay in half the time of the default 6, about 3% larger)."""
    import numpy as np
    from PIL import Image

    arr = np.asarray(pixels)
    if arr.dtype == bool:
        arr = arr.astype(np.uint8) * 255
    img = Image.fromarray(arr)
    if max_side and max(img.size) > max_side:
        scale = max_side / max(img.size)
        img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                         Image.NEAREST if img.mode == "L" else Image.BILINEAR)
    out = io.BytesIO()
    img.save(out, format="PNG", compress_level=compress_level)
    return out.getvalue()
