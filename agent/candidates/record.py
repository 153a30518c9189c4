"""`Candidate`: one region a turn could settle on, as the candidate searches return it (JSON-safe).

Its mask, when known, lives in the vision cache (`vision.masks[id]`); `needs_mask` candidates (detector and
OCR boxes) get one from a box prompt in the segment node.
"""
from __future__ import annotations

from typing import Any

from agent.state import Candidate
from tools.regions import Region

__all__ = ["Candidate", "box_center", "candidate", "mask_candidate"]


def candidate(region: Region, score: float, evidence: list[str], needs_mask: bool = False,
              cid: str | None = None, **flags: Any) -> Candidate:
    """A Candidate from a Region (its mask stays out of the record)."""
    rec = region.to_record()
    rec.update(id=cid or region.id, score=round(float(score), 4), evidence=list(evidence), needs_mask=needs_mask)
    if region.mask is not None:  # a proposal: the segmenter's own quality estimate of its mask
        rec["mask_score"] = round(float(region.score), 4)
    rec.update(flags)
    return rec  # type: ignore[return-value]


def mask_candidate(cid: str, box: list[float], score: float, label: str | None, source: str, evidence: list[str],
                   **flags: Any) -> Candidate:
    """A Candidate whose mask the caller has put in the vision cache under `cid`."""
    return Candidate(id=cid, box=list(box), score=float(score), label=label, source=source, text=None,
                     attributes={}, evidence=list(evidence), needs_mask=False, **flags)  # type: ignore[typeddict-item]


def box_center(box: list[float]) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
