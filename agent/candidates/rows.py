"""Rows of a group photo: "the girl in the middle of the front row", "all the ones standing in the back row".

People (or things) are put in rows by the height of their tops in the image (heads, for people): a jump larger
than ROW_GAP of the median box height starts a new row. The front row is the one whose tops are lowest (nearest
the camera on a ground plane); boxes far smaller than the tallest (spectators far behind) take no part.
Boxes are [x0, y0, x1, y1] pixels.
"""
from __future__ import annotations

import re

import numpy as np

ROW_GAP = 0.25          # a jump in top height over this share of the median box height starts a new row
MIN_HEIGHT_SHARE = 0.4  # boxes shorter than this share of the tallest are left out of the rows
ROW_PENALTY = 2.0       # a candidate outside the row asked for loses this much
_ROW = re.compile(r"\bin the (front|back|middle) row\b")


def requested_row(phrase: str) -> str | None:
    """ "front", "back" or "middle" when the target phrase says "in the <row> row" (the planner writes it so)."""
    found = _ROW.search(phrase.lower())
    return found.group(1) if found else None


def row_indices(boxes: list[list[float]]) -> list[int | None]:
    """Row of each box, 0 = front (lowest tops); None for a box too small to be in a row."""
    if not boxes:
        return []
    heights = np.array([b[3] - b[1] for b in boxes], dtype=float)
    used = [i for i, hgt in enumerate(heights) if hgt >= MIN_HEIGHT_SHARE * heights.max()]
    gap = ROW_GAP * float(np.median(heights[used]))
    order = sorted(used, key=lambda i: -boxes[i][1])  # lowest top first
    rows: list[int | None] = [None] * len(boxes)
    row, last = 0, None
    for i in order:
        if last is not None and last - boxes[i][1] > gap:
            row += 1
        rows[i], last = row, boxes[i][1]
    return rows


def row_members(boxes: list[list[float]], which: str) -> set[int]:
    """Indices of the boxes in the front, back or middle row; empty when the boxes form a single row."""
    rows = row_indices(boxes)
    present = sorted({r for r in rows if r is not None})
    if len(present) < 2:
        return set()
    wanted = {"front": present[0], "back": present[-1], "middle": present[len(present) // 2]}[which]
    return {i for i, r in enumerate(rows) if r == wanted}
