"""Parts of a previous target's mask: halves, centre, and named parts (handle, lid, cap, label).

`part_candidates(part, mask (H, W) bool, proposals) -> [(mask, score, evidence)]`, best first.
Halves split the mask at its bounding box's midline. A handle is what a morphological opening of the
mask removes (thin protrusions), a lid/cap the top band, a label the middle band; a proposal lying
inside the previous mask in the right place is preferred over the geometric approximation.
"""
from __future__ import annotations

import cv2
import numpy as np

from tools.masks import bbox
from tools.regions import Region

HALVES = {"top half", "bottom half", "left half", "right half", "center"}


def _half(mask: np.ndarray, part: str) -> np.ndarray:
    x0, y0, x1, y1 = bbox(mask)
    out = np.zeros_like(mask)
    xm, ym = (x0 + x1) // 2, (y0 + y1) // 2
    if part == "top half":
        out[:ym] = mask[:ym]
    elif part == "bottom half":
        out[ym:] = mask[ym:]
    elif part == "left half":
        out[:, :xm] = mask[:, :xm]
    elif part == "right half":
        out[:, xm:] = mask[:, xm:]
    else:  # center: the middle third both ways
        h, w = y1 - y0, x1 - x0
        ys, xs = slice(y0 + h // 3, y1 - h // 3), slice(x0 + w // 3, x1 - w // 3)
        out[ys, xs] = mask[ys, xs]
    return out


def _band(mask: np.ndarray, lo: float, hi: float) -> np.ndarray:
    x0, y0, x1, y1 = bbox(mask)
    h = y1 - y0
    out = np.zeros_like(mask)
    a, b = y0 + int(round(lo * h)), y0 + max(int(round(hi * h)), int(round(lo * h)) + 1)
    out[a:b] = mask[a:b]
    return out


def protrusion(mask: np.ndarray) -> np.ndarray:
    """Thin parts sticking out of the main body (a mug's handle): mask minus its opening, largest piece."""
    x0, y0, x1, y1 = bbox(mask)
    k = max(3, int(0.3 * min(x1 - x0, y1 - y0)) | 1)
    body = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    # grow the body slightly so the seam between body and handle is not counted
    body = cv2.dilate(body, np.ones((3, 3), np.uint8), iterations=2).astype(bool)
    rest = (mask & ~body).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(rest, connectivity=8)
    if n <= 1:
        return np.zeros_like(mask)
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return labels == best


def _inside(region: Region, mask: np.ndarray, area: int) -> float:
    """Fraction of the region's mask inside `mask` (0 when it has no mask or is not smaller)."""
    if region.mask is None or region.mask.shape != mask.shape:
        return 0.0
    r_area = int(region.mask.sum())
    if r_area == 0 or r_area > 0.7 * area:
        return 0.0
    return float((region.mask & mask).sum()) / r_area


def part_candidates(part: str, mask: np.ndarray, proposals: list[Region] | None = None) -> list[tuple[np.ndarray, float, str]]:
    """Candidate masks for `part` of `mask`, as (mask, score, evidence), best first; [] if mask is empty."""
    mask = np.asarray(mask, bool)
    area = int(mask.sum())
    if area == 0:
        return []
    out: list[tuple[np.ndarray, float, str]] = []
    if part in HALVES:
        out.append((_half(mask, part), 0.9, f"the {part} of the previous mask (split at its box midline)"))
        return out
    x0, y0, x1, y1 = bbox(mask)
    geometric = {
        "handle": (protrusion(mask), "the thin part that a morphological opening removes from the previous mask"),
        "lid": (_band(mask, 0.0, 0.2), "the top fifth of the previous mask"),
        "cap": (_band(mask, 0.0, 0.2), "the top fifth of the previous mask"),
        "label": (_band(mask, 0.3, 0.7), "the middle band of the previous mask"),
    }.get(part)
    for r in proposals or []:
        inside = _inside(r, mask, area)
        if inside < 0.85:
            continue
        rb = r.box
        cx, cy = ((rb[0] + rb[2]) / 2 - x0) / max(x1 - x0, 1), ((rb[1] + rb[3]) / 2 - y0) / max(y1 - y0, 1)
        frac = float(r.mask.sum()) / area
        if part == "handle":
            if geometric is not None and geometric[0].any():  # agree with the protrusion when there is one
                place = float((r.mask & geometric[0]).sum()) / max(int((r.mask | geometric[0]).sum()), 1)
            else:
                place = max(abs(cx - 0.5) * 2, 0.0) * (1.0 if frac < 0.35 else 0.3)
        elif part in ("lid", "cap"):
            place = (1.0 - cy) * (1.0 if frac < 0.4 else 0.3)
        elif part == "label":
            place = (1.0 - abs(cy - 0.5) * 2) * (1.0 if 0.05 < frac < 0.7 else 0.3)
        else:
            place = 0.5
        out.append((r.mask & mask, 0.6 + 0.35 * place * inside, f"region {r.id} lies inside the previous mask"))
    if geometric is not None and geometric[0].any():
        out.append((geometric[0], 0.75, geometric[1]))
    elif not out:  # unknown part name: the upper part is the usual guess
        out.append((_band(mask, 0.0, 0.35), 0.3, f"no known shape for '{part}': the upper third of the previous mask"))
    out.sort(key=lambda t: -t[1])
    return out
