"""The background of a photo, for "what's in the background?": the part above the line where its nearest detected
things stand, less those things' own boxes. In a photo taken from the ground, farther things stand higher, so what
stands well above the feet of the nearest thing is behind it; what lies on a near thing (the backpack on the man
in front) is not. Without a confident detection: the upper half.

    background_mask(detections, width, height) -> bool (height, width)
"""
from __future__ import annotations

import numpy as np

from agent.candidates.category import MIN_SCORE
from tools.regions import Region

FAR_GAP = 0.15           # a thing is in the background when it stands this share of the photo's height above ...
HORIZON_SPAN = (0.3, 0.75)  # ... the nearest thing's feet; the line stays within this band of the photo's height
NO_DETECTION_HORIZON = 0.5


def background_mask(detections: list[Region], width: int, height: int) -> np.ndarray:
    """bool (height, width): the photo above the background line, minus the boxes of the confident detections
    that stand below it (the near things)."""
    confident = [d for d in detections if d.score >= MIN_SCORE]
    horizon = (max(d.box[3] for d in confident) / height - FAR_GAP) if confident else NO_DETECTION_HORIZON
    line = int(round(min(max(horizon, HORIZON_SPAN[0]), HORIZON_SPAN[1]) * height))
    mask = np.zeros((height, width), bool)
    mask[:line] = True
    for d in confident:
        if d.box[3] > line:  # stands in front: it and what lies on it are not background
            x0, y0, x1, y1 = (int(round(v)) for v in d.box)
            mask[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)] = False
    return mask
