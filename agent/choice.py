"""The `chosen` record: the one mask a turn settled on, as the select, segment_points and recall_mask nodes
hand it to explain and respond (agent.state.Choice). One builder, so every path writes the same keys."""
from __future__ import annotations

from typing import Any

import numpy as np

from agent.state import Choice
from tools.masks import bbox, encode_rle


def make_choice(region_id: str, mask: np.ndarray | None = None, *, rle: dict | None = None,
                box: list[float] | None = None, score: float, confidence: float, evidence: list[str],
                source: str | None, ids: list[str] | None = None, label: str | None = None,
                attributes: dict[str, Any] | None = None, text: str | None = None,
                low_confidence: bool = False) -> Choice:
    """A Choice from a bool mask (H, W) or an already encoded COCO RLE (`rle`, with its `box`).

    score: the mask's quality in [0, 1]; confidence: how sure the pick is, in [0, 1]; ids: every region id
    the mask joins (default [region_id])."""
    if mask is not None:
        rle, box = encode_rle(mask), bbox(mask)
    return {"id": region_id, "ids": list(ids or [region_id]), "box": box, "rle": rle, "score": score,
            "confidence": confidence, "evidence": list(evidence), "label": label, "source": source,
            "attributes": dict(attributes or {}), "text": text, "low_confidence": bool(low_confidence)}
