"""attach_image: complete and verify the state's image reference, so the graph stands on its own (no `Session`).

A client of the served graph may send only {"path": "/photos/kitchen.jpg"} (or the path as a plain string);
this node loads the file once, registers it in the runtime's VisionCache and writes the full reference
{"path" (resolved), "sha256", "width", "height"}, where sha256 is the hash of the decoded pixels
(tools.images.LoadedImage.sha256), not of the file's bytes.

A complete reference is verified: one the cache holds is used as it is; otherwise the file is loaded and
hashed. A client that hashed the file's bytes (the natural reading of "sha256") gets the reference recomputed on
its first turn; on a later turn a mismatch means the file changed under the conversation, and the turn stops
with one line (ImageError). A reference with neither a known hash nor a path is refused the same way: a turn
with an image is never silently answered as text-only.
"""
from __future__ import annotations

from pathlib import Path

from agent.nodes.runtime import AgentRuntime
from agent.state import AgentState
from tools.images import ImageError, load_image

FULL_REF_KEYS = ("sha256", "width", "height")


def attach_image(state: AgentState, runtime: AgentRuntime) -> AgentState:
    ref = state.get("image")
    if not ref:
        return {}
    if isinstance(ref, str):
        ref = {"path": ref}
    if not isinstance(ref, dict):
        raise ImageError(f"image must be a path or {{\"path\": ...}}, got {type(ref).__name__}")
    complete = all(ref.get(k) is not None for k in FULL_REF_KEYS)
    if complete and runtime.cache.holds(ref["sha256"]):
        return {}
    if not ref.get("path"):
        if complete:
            raise ImageError(f"image sha256 {str(ref['sha256'])[:12]}... is not known to this server and the "
                             "reference has no path: send {\"path\": ...}")
        raise ImageError("image reference has neither a path nor sha256/width/height")
    image = load_image(ref["path"])
    if complete and image.sha256 != ref["sha256"] and state.get("turn"):
        raise ImageError(f"{ref['path']} changed since this conversation began (its pixels no longer match the "
                         "thread's sha256): start a new thread for the new picture")
    runtime.cache.register(image)
    if complete and image.sha256 == ref["sha256"]:
        return {}
    return {"image": {"path": str(Path(ref["path"]).resolve()), "sha256": image.sha256, "width": image.width,
                      "height": image.height}}
