"""`Candidate`: one region a turn could settle on, as the candidate searches return it (JSON-safe).

A mask made from the conversation (a part of a target, the union of earlier targets, a remembered mask) travels in
the record itself as COCO RLE ("rle"); a mask that is a fact of the image (a proposal's, a detection's box prompt)
lives in the image's vision cache under the candidate's id. `needs_mask` candidates (detector and OCR boxes) get
theirs from a box prompt in the segment node. `candidate_mask` reads either.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from agent.state import Candidate
from tools.masks import bbox, decode_rle, encode_rle
from tools.regions import Region

__all__ = ["Candidate", "box_center", "candidate", "candidate_mask", "mask_candidate"]


def candidate(region: Region, score: float, evidence: list[str], needs_mask: bool = False,
              cid: str | None = None, **flags: Any) -> Candidate:
    """A Candidate from a Region (its mask stays out of the record)."""
    rec = region.to_record()
    rec.update(id=cid or region.id, score=round(float(score), 4), evidence=list(evidence), needs_mask=needs_mask)
    if region.mask is not None:  # a proposal: the segmenter's own quality estimate of its mask
        rec["mask_score"] = round(float(region.score), 4)
    rec.update(flags)
    return rec  # type: ignore[return-value]


def mask_candidate(cid: str, mask: np.ndarray, score: float, label: str | None, source: str, evidence: list[str],
                   **flags: Any) -> Candidate:
    """A Candidate carrying its own mask (bool (H, W), non-empty) as RLE; its box is the mask's."""
    return Candidate(id=cid, box=[float(v) for v in bbox(mask)], score=float(score), label=label, source=source,
                     text=None, attributes={}, evidence=list(evidence), needs_mask=False, rle=encode_rle(mask),
                     **flags)  # type: ignore[typeddict-item]


def candidate_mask(c: Candidate, vision) -> np.ndarray | None:
    """bool (H, W): the candidate's own mask (its "rle"), else the image's mask for its id (vision.masks); None
    when neither is known yet (a box not prompted yet)."""
    if c.get("rle"):
        return decode_rle(c["rle"])
    return vision.masks.get(c["id"]) if vision is not None else None


def box_center(box: list[float]) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
