"""`Region`: one candidate thing in an image, as grounders return it and the agent reasons about it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

import numpy as np


class RegionRecord(TypedDict):
    """Region.to_record(): a Region without its mask, JSON-safe (box rounded to 0.1 px, score to 4 places)."""

    id: str
    box: list[float]
    score: float
    label: str
    source: str
    text: str | None
    attributes: dict[str, Any]


@dataclass
class Region:
    """A candidate region.

    box: [x0, y0, x1, y1] in original image pixels (x1, y1 exclusive).
    score: the grounder's confidence in [0, 1].
    label: what the grounder calls it ("text: EXIT", "face", "region", a detector class, ...).
    source: which grounder produced it ("ocr", "proposals", "grounding_dino", "owlv2", "haar", ...).
    mask: optional bool (H, W) mask at original size (proposals have one; detectors do not).
    text: text read inside it, when known (OCR).
    attributes: descriptors, e.g. {"colors": ["red"], "position": "top left", "area_fraction": 0.03,
                "area_rank": 1, "shape": "round"}.
    id: a stable id within one image's candidate set (e.g. "r3").
    """

    box: list[float]
    score: float = 1.0
    label: str = "region"
    source: str = "unknown"
    mask: np.ndarray | None = None
    text: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    id: str = ""

    def to_record(self) -> RegionRecord:
        """JSON-safe dict without the mask array (masks travel as RLE elsewhere)."""
        return {
            "id": self.id,
            "box": [round(float(v), 1) for v in self.box],
            "score": round(float(self.score), 4),
            "label": self.label,
            "source": self.source,
            "text": self.text,
            "attributes": self.attributes,
        }
