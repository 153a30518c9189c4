"""The `Segmenter` interface: embed an image once, then answer many prompts cheaply.

Shapes: boxes (N, 4) as [x0, y0, x1, y1] and points (N, P, 2) as [x, y] in original image pixels;
point_labels (N, P) with 1 = foreground, 0 = background; mask prompts (N, 256, 256) logits.
Outputs are at original image size.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, runtime_checkable

import numpy as np

from tools.images import ImageInput


@dataclass
class ImageEmbedding:
    """What a segmenter computed for one image; reusable for any number of prompts.

    features: backend-specific tensor(s) (e.g. torch (1, 256, 64, 64)); never put this in agent state.
    original_size: (H, W) of the input image; input_size: (h, w) after resizing for the model.
    image_sha256: content hash of the image it came from (the cache key).
    seconds: time the encoder took (0.0 when it came from the cache).
    """

    features: Any
    original_size: tuple[int, int]
    input_size: tuple[int, int]
    image_sha256: str
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class SegmentResult:
    """Masks for N prompts.

    masks: bool (N, K, H, W) at original size (K = 3 with multimask, else 1), best first per prompt.
    scores: float (N, K) predicted IoU.
    low_res_logits: float (N, K, 256, 256), usable as a later mask prompt.
    seconds: decoder time.
    """

    masks: np.ndarray
    scores: np.ndarray
    low_res_logits: np.ndarray | None = None
    seconds: float = 0.0

    def best(self) -> tuple[np.ndarray, np.ndarray]:
        """(masks (N, H, W), scores (N,)): the highest-scoring candidate of each prompt."""
        idx = self.scores.argmax(axis=1)
        n = np.arange(self.masks.shape[0])
        return self.masks[n, idx], self.scores[n, idx]


def ranked_result(low: Any, scores: Any, upsample: Callable[[Any], Any], t0: float) -> SegmentResult:
    """Decoder output -> `SegmentResult`, candidates sorted by predicted IoU (best first).

    low: torch float (N, K, L, L) logits; scores: torch (N, K); upsample: (K, L, L) -> (K, H, W) logits at the
    original size (masks are those > 0); t0: time.perf_counter() when decoding began.
    """
    order = scores.argsort(dim=1, descending=True)
    scores = scores.gather(1, order)
    low = low.gather(1, order[:, :, None, None].expand_as(low))
    masks = np.stack([upsample(low[i]).numpy() > 0 for i in range(low.shape[0])])
    return SegmentResult(masks, scores.numpy(), low.numpy(), time.perf_counter() - t0)


@runtime_checkable
class Segmenter(Protocol):
    """A promptable segmenter (SAM family)."""

    name: str

    def embed(self, image: ImageInput) -> ImageEmbedding:
        """Encode an image (cached by content hash: a second call for the same pixels is free)."""
        ...

    def segment(
        self,
        embedding: ImageEmbedding,
        boxes: np.ndarray | None = None,
        points: np.ndarray | None = None,
        point_labels: np.ndarray | None = None,
        mask_prompts: np.ndarray | None = None,
        multimask: bool = True,
    ) -> SegmentResult:
        """Decode masks for N prompts (boxes and/or points and/or mask prompts, broadcast over N)."""
        ...

    def propose(self, image: ImageInput, points_per_side: int = 16, seed_boxes=None,
                max_prompts: int | None = None, within=None) -> list["Proposal"]:
        """'Everything' mode: masks for a grid of point prompts, filtered and de-duplicated; seed_boxes (M, 4)
        original pixels are prompted first, one mask each; at most max_prompts grid points are prompted (None:
        all that stay unanswered); within [x0, y0, x1, y1] lays the grid over that box only."""
        ...


@dataclass
class Proposal:
    """One automatic mask proposal: bool (H, W) mask at original size, box [x0, y0, x1, y1],
    predicted IoU, stability score, and the grid point that produced it."""

    mask: np.ndarray
    box: list[int]
    predicted_iou: float
    stability: float
    point: tuple[float, float]

    @property
    def area(self) -> int:
        return int(self.mask.sum())
