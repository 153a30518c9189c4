"""Test helpers for grounder tests: a fake Segmenter for wiring tests and the real one (or a skip)."""
from __future__ import annotations

import numpy as np
import pytest

from tools.images import load_image
from tools.masks import bbox
from tools.segmenters.base import ImageEmbedding, Proposal, SegmentResult


class FakeSegmenter:
    """A stand-in Segmenter for wiring tests: proposes given masks (plus a near-duplicate and the
    background); segment() returns the non-background pixels inside each box prompt."""

    name = "fake"

    def __init__(self, masks: list[np.ndarray], background_value: int = 205):
        self.masks = masks
        self.background_value = background_value
        self.propose_calls = 0
        self.seed_boxes = None  # the seed boxes of the last propose() call

    def embed(self, image):
        img = load_image(image)
        return ImageEmbedding(features=img.pixels, original_size=img.pixels.shape[:2],
                              input_size=img.pixels.shape[:2], image_sha256=img.sha256)

    def segment(self, embedding, boxes=None, points=None, point_labels=None, mask_prompts=None, multimask=True):
        pixels = embedding.features
        fg = np.any(pixels != self.background_value, axis=2)
        out = []
        for x0, y0, x1, y1 in np.asarray(boxes).astype(int):
            m = np.zeros(fg.shape, bool)
            m[y0:y1, x0:x1] = fg[y0:y1, x0:x1]
            out.append([m])
        masks = np.asarray(out)
        return SegmentResult(masks=masks, scores=np.full(masks.shape[:2], 0.9, np.float32))

    def propose(self, image, points_per_side=16, seed_boxes=None, max_prompts=None, within=None):
        self.propose_calls += 1
        self.seed_boxes = seed_boxes
        img = load_image(image)
        props = [Proposal(m, bbox(m), 0.9, 0.95, (0.0, 0.0)) for m in self.masks]
        dup = self.masks[0].copy()
        dup[np.nonzero(dup)[0][0], :] = False  # nearly identical to the first mask
        props.append(Proposal(dup, bbox(dup), 0.8, 0.9, (0.0, 0.0)))
        background = ~np.any(np.stack(self.masks), axis=0)
        props.append(Proposal(background, [0, 0, img.width, img.height], 0.95, 0.97, (1.0, 1.0)))
        return props


_REAL: list = []


def real_segmenter_or_skip():
    """The real embedded MobileSAM segmenter (built once per test process), or pytest.skip when unavailable."""
    if _REAL:
        return _REAL[0]
    try:
        from tools.segmenters import build_segmenter
    except ImportError as exc:
        pytest.skip(f"tools.segmenters.build_segmenter not available ({exc})")
    try:
        _REAL.append(build_segmenter("mobile_sam"))
        return _REAL[0]
    except Exception as exc:  # missing weights or backend still being written
        pytest.skip(f"MobileSAM not available: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
