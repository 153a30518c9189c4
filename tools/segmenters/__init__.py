"""Promptable segmenters (SAM family) behind one protocol, and a registry to build them by name.

    build_segmenter("mobile_sam")                      # embedded default (real MobileSAM weights)
    build_segmenter("sam", path="/models/sam-vit-b")   # transformers SamModel folder (local files only)
    build_segmenter("sam2", path="/models/sam2-tiny")  # transformers Sam2Model folder
    build_segmenter("sam_pth", path="sam_vit_b.pth")   # original segment-anything checkpoint (converted)

Missing embedded weights raise tools.weights.MissingWeightsError (its message names the fetch command).
"""
from __future__ import annotations

from typing import Callable

from tools.segmenters.base import ImageEmbedding, Proposal, Segmenter, SegmentResult
from tools.segmenters.prompts import PromptError


class UnknownSegmenterError(ValueError):
    """No backend of that name; the message lists the known names."""


def _mobile_sam(**kw) -> Segmenter:
    from tools.segmenters.sam_segmenter import MobileSamSegmenter

    return MobileSamSegmenter(**kw)


def _sam(**kw) -> Segmenter:
    from tools.segmenters.hf_sam import HfSamSegmenter

    return HfSamSegmenter(**kw)


def _sam2(**kw) -> Segmenter:
    from tools.segmenters.hf_sam2 import HfSam2Segmenter

    return HfSam2Segmenter(**kw)


def _sam_pth(**kw) -> Segmenter:
    from tools.segmenters.hf_sam import HfSamSegmenter

    return HfSamSegmenter.from_pth(**kw)


SEGMENTERS: dict[str, Callable[..., Segmenter]] = {
    "mobile_sam": _mobile_sam,
    "sam": _sam,
    "sam2": _sam2,
    "sam_pth": _sam_pth,
}


def build_segmenter(name: str = "mobile_sam", **kwargs) -> Segmenter:
    """Build a segmenter by name; kwargs go to its constructor (e.g. path=..., num_threads=...)."""
    if name not in SEGMENTERS:
        raise UnknownSegmenterError(f"unknown segmenter {name!r}; known: {', '.join(SEGMENTERS)}")
    return SEGMENTERS[name](**kwargs)


__all__ = ["build_segmenter", "SEGMENTERS", "Segmenter", "ImageEmbedding", "SegmentResult", "Proposal",
           "PromptError", "UnknownSegmenterError"]
