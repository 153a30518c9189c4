"""Pixel cues for ranking regions: background-like regions, colour nearness, the region holding an OCR text
box, the uniform-colour sign around a text box, and composite (union) proposals.

Boxes are [x0, y0, x1, y1] pixels; masks bool (H, W); pixels (H, W, 3) uint8.
"""
from __future__ import annotations

import cv2
import numpy as np

from tools.regions import Region
from tools.vocabulary import COLOR_NAMES, NEAR_COLORS

BACKGROUND_LIKE_FRACTION = 0.35


def borders_touched(box: list[float], width: int, height: int, margin: float = 2.0) -> int:
    """How many image borders (0..4) a box touches."""
    x0, y0, x1, y1 = box
    return int(x0 <= margin) + int(y0 <= margin) + int(x1 >= width - margin) + int(y1 >= height - margin)


def flat_share(pixels: np.ndarray) -> float:
    """Share of pixels (H, W, 3 uint8) equal to their right and lower neighbours in every channel, in [0, 1]: plain
    drawn or painted areas are flat; a camera photo's noise and compression leave few such pixels."""
    px = np.asarray(pixels, np.int16)
    if px.shape[0] < 2 or px.shape[1] < 2:
        return 1.0
    same_right = (px[:-1, 1:] == px[:-1, :-1]).all(axis=2)
    same_below = (px[1:, :-1] == px[:-1, :-1]).all(axis=2)
    return float((same_right & same_below).mean())


def background_like(region: Region, width: int, height: int) -> bool:
    """Flagged background, more than ~35% of the image, or touching 3+ image borders (a table, a wall)."""
    a = region.attributes
    return bool(a.get("background")) or float(a.get("area_fraction", 0.0)) > BACKGROUND_LIKE_FRACTION or \
        borders_touched(region.box, width, height) >= 3


def color_share(region: Region, pixels: np.ndarray | None, want: str, max_samples: int = 6000) -> float:
    """Share of the region's pixels named `want` (plus half the share of near colours), 0..1; named against the
    photo's white point (descriptors.photo_color_names)."""
    from tools.grounders.descriptors import photo_color_names

    if pixels is None or region.mask is None or region.mask.shape != pixels.shape[:2] or want not in COLOR_NAMES:
        return 1.0 if want in (region.attributes.get("colors") or []) else 0.0
    values = pixels[region.mask]
    if values.shape[0] == 0:
        return 0.0
    values = values[:: max(1, values.shape[0] // max_samples)]
    names = np.bincount(photo_color_names(values, pixels), minlength=len(COLOR_NAMES)) / values.shape[0]
    near = sum(names[COLOR_NAMES.index(c)] for c in NEAR_COLORS.get(want, ()) if c in COLOR_NAMES)
    return float(names[COLOR_NAMES.index(want)] + 0.5 * near)


def _filled(mask: np.ndarray) -> np.ndarray:
    """The mask with its interior holes filled (letters printed on a sign are holes in its mask)."""
    m = mask.astype(np.uint8)
    contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out = np.zeros_like(m)
    cv2.drawContours(out, contours, -1, 1, thickness=cv2.FILLED)
    return out.astype(bool)


def containing_proposal(box: list[float], proposals: list[Region], width: int, height: int,
                        max_ratio: float = 12.0) -> Region | None:
    """The smallest proposal whose filled mask covers >= 80% of the text box (or whose box holds it within a
    tight margin while its mask touches the box), excluding background-like and composite regions and regions
    more than `max_ratio` times the text box's area; None when none qualifies."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    area = max((x1 - x0) * (y1 - y0), 1)
    margin = 0.25 * max(x1 - x0, y1 - y0)
    holders = []
    for r in proposals:
        if r.mask is None or background_like(r, width, height) or r.attributes.get("composite"):
            continue
        r_area = float(r.mask.sum())
        if r_area > max_ratio * area or r_area < 0.5 * area:
            continue
        covered = float(_filled(r.mask)[y0:y1, x0:x1].sum()) / area
        rb = r.box
        boxed = rb[0] <= x0 + 2 and rb[1] <= y0 + 2 and rb[2] >= x1 - 2 and rb[3] >= y1 - 2 and \
            rb[0] >= x0 - margin - 2 and rb[1] >= y0 - margin - 2 and rb[2] <= x1 + margin + 2 and \
            rb[3] <= y1 + margin + 2 and r.mask[y0:y1, x0:x1].any()
        if covered >= 0.8 or boxed:
            holders.append(r)
    return min(holders, key=lambda r: float(r.mask.sum())) if holders else None


def sign_box(box: list[float], pixels: np.ndarray, tol: float = 40.0, max_ratio: float = 8.0) -> list[float]:
    """The text box enlarged to the uniform-colour patch around it (a sign's plate), or the text box itself when
    the surroundings are not one colour or the patch is much larger than the text."""
    h, w = pixels.shape[:2]
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return list(box)
    patch = pixels[y0:y1, x0:x1].astype(np.float32)
    ring = np.concatenate([patch[0], patch[-1], patch[:, 0], patch[:, -1]])
    color = np.median(ring, axis=0)
    if np.mean(np.linalg.norm(ring - color, axis=1) < tol) < 0.6:
        return list(box)  # the text box's rim is not one colour: no plate to grow into
    same = (np.linalg.norm(pixels.astype(np.float32) - color, axis=2) < tol).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(same, connectivity=4)
    ring_labels = np.concatenate([labels[y0, x0:x1], labels[y1 - 1, x0:x1], labels[y0:y1, x0], labels[y0:y1, x1 - 1]])
    ring_labels = ring_labels[ring_labels > 0]
    if ring_labels.size == 0:
        return list(box)
    k = int(np.bincount(ring_labels).argmax())
    bx, by, bw, bh = (int(v) for v in stats[k, :4])
    if bw * bh > max_ratio * (x1 - x0) * (y1 - y0) or borders_touched([bx, by, bx + bw, by + bh], w, h) >= 2:
        return list(box)
    return [float(min(bx, x0)), float(min(by, y0)), float(max(bx + bw, x1)), float(max(by + bh, y1))]


def mark_composites(regions: list[Region], side: int = 96) -> None:
    """Flag attributes["composite"] on proposals that are mostly the union of >= 2 smaller proposals
    (SAM often returns "the blue square and the bar under it" as one region)."""
    masked = [r for r in regions if r.mask is not None]
    if len(masked) < 3:
        return
    h, w = masked[0].mask.shape
    step = max(1, int(round(max(h, w) / side)))
    small = np.stack([r.mask[::step, ::step] for r in masked])
    areas = small.reshape(len(masked), -1).sum(1)
    for i, r in enumerate(masked):
        if areas[i] == 0:
            continue
        inside = [j for j in range(len(masked)) if j != i and 0 < areas[j] < 0.8 * areas[i]
                  and (small[j] & small[i]).sum() > 0.9 * areas[j]]
        if len(inside) < 2:
            continue
        children = np.logical_or.reduce(small[inside])
        # children must be apart from each other: their union covers the parent, none covers it alone
        if (children & small[i]).sum() > 0.85 * areas[i] and max(areas[j] for j in inside) < 0.75 * areas[i]:
            r.attributes["composite"] = True
