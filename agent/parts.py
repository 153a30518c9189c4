"""Parts of a previous target's mask: halves, centre, and named parts (handle, lid, cap, label).

`part_candidates(part, mask (H, W) bool, proposals) -> [(mask, score, evidence)]`, best first.
Halves split the mask at its bounding box's midline. A handle is what a morphological opening of the
mask removes (thin protrusions), a lid/cap the top band, a label the middle band; a proposal lying
inside the previous mask in the right place is preferred over the geometric approximation. When the part
is not inside the previous mask (a mug body segmented without its handle), a small proposal touching the
previous mask (same colour preferred), or what a same-colour proposal holding the previous mask adds to it,
is the part. "whole" extends the previous mask with such touching same-colour pieces. Parts under 0.5% of
the previous mask come with evidence starting "uncertain".
"""
from __future__ import annotations

import cv2
import numpy as np

from tools.masks import bbox
from tools.regions import Region

HALVES = {"top half", "bottom half", "left half", "right half", "center"}
# Body parts of a standing person as bands of the mask's height (no keypoints: a band of the mask, top 0 .. 1)
# (the fallback when the people analysis has no keypoints for that person; tools.people.parts uses keypoints).
_BANDS = {"head": (0.0, 0.17), "upper body": (0.15, 0.55), "torso": (0.17, 0.55), "arms": (0.15, 0.6),
          "hands": (0.35, 0.65), "legs": (0.5, 0.95), "feet": (0.88, 1.0)}
BODY_PARTS: dict[str, tuple[float, float]] = {
    **_BANDS, **{f"{side} {one}": _BANDS[many] for side in ("left", "right")
                 for one, many in (("arm", "arms"), ("hand", "hands"), ("leg", "legs"), ("foot", "feet"))}}
TINY_PART = 0.005  # parts below this share of the previous mask are flagged uncertain


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


def _largest_piece(mask: np.ndarray) -> np.ndarray:
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA])) if n > 1 else np.zeros_like(mask)


def _main_color(region_or_mask, pixels: np.ndarray | None) -> str | None:
    if isinstance(region_or_mask, Region):
        colors = region_or_mask.attributes.get("colors") or []
        if colors:
            return colors[0]
        region_or_mask = region_or_mask.mask
    if pixels is None or region_or_mask is None or pixels.shape[:2] != region_or_mask.shape:
        return None
    from tools.grounders.descriptors import dominant_colors
    return (dominant_colors(pixels, region_or_mask) or [None])[0]


def _place_score(part: str, piece: np.ndarray, mask: np.ndarray) -> float:
    """0..1: does `piece` sit where `part` usually is relative to `mask` (handle beside, lid/cap above)?"""
    x0, y0, x1, y1 = bbox(mask)
    px0, py0, px1, py1 = bbox(piece)
    cx, cy = ((px0 + px1) / 2 - x0) / max(x1 - x0, 1), ((py0 + py1) / 2 - y0) / max(y1 - y0, 1)
    if part == "handle":
        return float(min(1.0, abs(cx - 0.5) * 2) * (1.0 if 0.1 < cy < 0.9 else 0.5))
    if part in ("lid", "cap"):
        return float(min(1.0, max(0.0, 0.5 - cy) * 2))
    return 0.5


def outside_pieces(part: str, mask: np.ndarray, proposals: list[Region], pixels: np.ndarray | None = None,
                   touch_px: int = 4) -> list[tuple[np.ndarray, float, str]]:
    """Candidate parts outside the previous mask: small proposals touching it, and what a proposal holding the
    previous mask adds to it (largest piece). Same colour as the previous mask scores higher."""
    area = int(mask.sum())
    grown = cv2.dilate(mask.astype(np.uint8), np.ones((2 * touch_px + 1,) * 2, np.uint8)).astype(bool)
    own = _main_color(mask, pixels)
    out = []
    for r in proposals or []:
        if r.mask is None or r.mask.shape != mask.shape or r.attributes.get("background") or r.attributes.get("composite"):
            continue
        r_area = int(r.mask.sum())
        inter = int((r.mask & mask).sum())
        if inter >= 0.9 * area and area < r_area <= 2.0 * area:  # holds the previous mask: its extra is the part
            piece, how = _largest_piece(r.mask & ~grown), f"what region {r.id} adds to the previous mask"
        elif 0 < r_area <= 0.6 * area and inter <= 0.3 * r_area and (r.mask & grown).any():
            piece, how = r.mask & ~mask, f"region {r.id} touches the previous mask"
        else:
            continue
        if piece.sum() < max(20, 0.01 * area):
            continue
        same = own is not None and _main_color(r, pixels) == own
        score = 0.6 + 0.2 * same + 0.15 * _place_score(part, piece, mask)
        out.append((piece, score, how + (f" (same colour, {own})" if same else "")))
    return out


def needs_regions(part: str) -> bool:
    """Whether part_candidates looks at region proposals for `part`: halves and body bands are cut from the mask's
    own geometry, so a turn asking for one need not compute proposals (10-20 s on a photo)."""
    return part not in HALVES and part not in BODY_PARTS


def part_candidates(part: str, mask: np.ndarray, proposals: list[Region] | None = None,
                    pixels: np.ndarray | None = None) -> list[tuple[np.ndarray, float, str]]:
    """Candidate masks for `part` of `mask`, as (mask, score, evidence), best first; [] if mask is empty.
    pixels (H, W, 3) uint8, when given, let same-colour neighbours win."""
    mask = np.asarray(mask, bool)
    area = int(mask.sum())
    if area == 0:
        return []
    out: list[tuple[np.ndarray, float, str]] = []
    if part == "whole":
        whole, added = mask.copy(), []
        for piece, score, why in outside_pieces(part, mask, proposals or [], pixels):
            if "same colour" in why:
                whole |= piece
                added.append(why.split(" (")[0])
        why = ("the previous mask plus " + "; ".join(added)) if added else "the previous mask (nothing of its colour touches it)"
        return [(whole, 0.9 if added else 0.5, why)]
    if part in HALVES:
        out.append((_half(mask, part), 0.9, f"the {part} of the previous mask (split at its box midline)"))
        return out
    if part in BODY_PARTS:
        lo, hi = BODY_PARTS[part]
        return [(_band(mask, lo, hi), 0.7, f"the {part}: {100 * lo:.0f}-{100 * hi:.0f}% down the previous mask "
                 "(an estimate for an upright person, not a body-part model)")]
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
    if part in ("handle", "lid", "cap"):
        out += outside_pieces(part, mask, proposals or [], pixels)
        for r in proposals or []:  # a proposal holding most of the mask (the body): the rest may be the handle
            inside = _inside(r, mask, int(1.5 * area)) if r.mask is not None else 0.0
            if part == "handle" and inside > 0.95 and 0.6 * area <= r.mask.sum() <= 0.97 * area:
                rest = _largest_piece(mask & ~cv2.dilate(r.mask.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool))
                if rest.sum() >= 0.01 * area:
                    out.append((rest, 0.7 + 0.15 * _place_score(part, rest, mask), f"the previous mask minus region {r.id}"))
    if geometric is not None and geometric[0].any():
        out.append((geometric[0], 0.75 if geometric[0].sum() >= 0.02 * area else 0.5, geometric[1]))
    elif not out:  # unknown part name: the upper part is the usual guess
        out.append((_band(mask, 0.0, 0.35), 0.3, f"no known shape for '{part}': the upper third of the previous mask"))
    out = [(m, s if m.sum() >= TINY_PART * area else min(s, 0.3),
            why if m.sum() >= TINY_PART * area else f"uncertain: only {int(m.sum())} px, under 0.5% of the previous mask "
            f"({why})") for m, s, why in out]
    out.sort(key=lambda t: -t[1])
    return out
