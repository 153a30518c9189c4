"""`Candidate`: one region a turn could settle on, as the candidate searches return it (JSON-safe).

Its mask, when known, lives in the vision cache (`vision.masks[id]`); `needs_mask` candidates (detector and
OCR boxes) get one from a box prompt in the segment node.
"""
from __future__ import annotations

from typing import Any, TypedDict

from tools.regions import Region


class Candidate(TypedDict, total=False):
    """id: unique within the image; box [x0, y0, x1, y1] image pixels; score: ranking score (any scale,
    higher is better, not a probability); label/source: what found it ("person", "detector:nanodet");
    evidence: why it ranks where it does; group: candidates of one plural request share it (their masks are
    joined); low_confidence/tied/uncertain: flags the explanation and selection read; mask_score: the
    segmenter's predicted IoU once a box prompt has run; detector_score: the detector's confidence."""

    id: str
    box: list[float]
    score: float
    label: str | None
    source: str | None
    text: str | None
    attributes: dict[str, Any]
    evidence: list[str]
    needs_mask: bool
    group: str | None
    low_confidence: bool
    tied: bool
    uncertain: bool
    mask_score: float
    detector_score: float


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
