"""attach_image: complete the state's image reference, so the graph stands on its own (no `Session` needed).

A client of the served graph may send only {"path": "/photos/kitchen.jpg"} (or the path as a plain string);
this node loads the file once, registers it in the runtime's VisionCache and writes the full reference
{"path" (resolved), "sha256", "width", "height"}. A complete reference is left as it is (VisionCache.get reloads
the file after an eviction or a restart). An unreadable path raises ImageError (one line).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.nodes.runtime import AgentRuntime
from tools.images import ImageError, load_image

FULL_REF_KEYS = ("sha256", "width", "height")


def attach_image(state: dict[str, Any], runtime: AgentRuntime) -> dict[str, Any]:
    ref = state.get("image")
    if not ref:
        return {}
    if isinstance(ref, str):
        ref = {"path": ref}
    if not isinstance(ref, dict):
        raise ImageError(f"image must be a path or {{\"path\": ...}}, got {type(ref).__name__}")
    if all(ref.get(k) is not None for k in FULL_REF_KEYS):
        return {}
    if not ref.get("path"):
        raise ImageError("image reference has neither a path nor sha256/width/height")
    image = load_image(ref["path"])
    runtime.cache.register(image)
    return {"image": {"path": str(Path(ref["path"]).resolve()), "sha256": image.sha256, "width": image.width,
                      "height": image.height}}
