"""The per-image facts the agent computes once per image, in one bounded cache keyed by the image's pixel hash.

    cache = VisionCache(capacity=4)
    vision = cache.register(load_image("photo.jpg"))      # or cache.get({"path": ..., "sha256": ...})
    vision.detections, vision.proposals, vision.masks ...  # filled by agent.nodes.runtime.AgentRuntime

`ImageVision` keeps the LoadedImage, proposal regions (with masks and descriptors), OCR regions by query, the
relation graph, detector hits, the people analysis, and the masks of proposals and box-prompted detections by their
per-image id. The segmenter embedding stays in the segmenter's own cache (tools.segmenters.embedding_cache). Masks
made from the conversation (parts, unions) travel in their candidate records, never here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tools.image_cache import PerImageCache
from tools.images import ImageError, LoadedImage, load_image
from tools.regions import Region


@dataclass
class ImageVision:
    """Everything computed for one image; filled lazily by agent.nodes.runtime.AgentRuntime."""

    image: LoadedImage
    proposals: list[Region] | None = None
    graph: Any = None
    people: list[Any] | None = None  # tools.people.PersonFacts, one per detected person (then MoveNet-only people)
    ocr: dict[str, list[Region]] = field(default_factory=dict)      # query -> OCR regions
    detections: dict[str, list[Region]] = field(default_factory=dict)  # query -> detector regions
    masks: dict[str, np.ndarray] = field(default_factory=dict)      # proposal or detection id -> bool (H, W)
    mask_scores: dict[str, float] = field(default_factory=dict)     # candidate id -> predicted IoU of its box prompt
    seconds: dict[str, float] = field(default_factory=dict)         # one-time costs (embed, propose)


class VisionCache:
    """LRU of ImageVision keyed by image sha256 (at most `capacity` images in memory; tools.image_cache)."""

    def __init__(self, capacity: int = 4):
        self.capacity = capacity
        self._items: PerImageCache[ImageVision] = PerImageCache(capacity)

    def register(self, image: LoadedImage) -> ImageVision:
        return self._items.get_or_compute(image.sha256, lambda: ImageVision(image=image))

    def holds(self, sha256: str) -> bool:
        """Whether the image with this pixel hash is cached (no reload, no LRU move)."""
        return sha256 in self._items

    def get(self, image_ref: dict | None) -> ImageVision | None:
        """The cached vision for a state image ref {"path", "sha256", ...}; when the cache lacks it (eviction,
        restart, a served graph's new process) the file is loaded from "path" and hash-checked. None when there
        is no ref; ImageError (one line) when the file is gone or changed, or the ref has no path to reload."""
        if not image_ref:
            return None
        sha = image_ref.get("sha256")
        hit = self._items.get(sha) if sha else None
        if hit is not None:
            return hit
        if not image_ref.get("path"):
            raise ImageError(f"image sha256 {str(sha)[:12]}... is no longer in memory and its reference has no path")
        image = load_image(image_ref["path"])
        if sha is not None and image.sha256 != sha:
            raise ImageError(f"{image_ref['path']} changed since this conversation began (its pixels no longer "
                             "match the thread's sha256)")
        return self.register(image)
