"""Region descriptors computed from a mask and the image pixels.

`describe(mask, pixels, text_boxes=None) -> dict` with keys:
  box [x0, y0, x1, y1], position (e.g. "top left"), area (px), area_fraction, size ("tiny".."most of the
  image"), colors (up to 2 colour names, most frequent first), shape ("round" | "square" | "rectangular" |
  "elongated" | "irregular"), centroid [x, y], text (OCR lines whose centre falls in the mask).
`add_area_ranks(attribute_dicts)` sets "area_rank" (1 = largest) across one image's candidates.
"""
from __future__ import annotations

import cv2
import numpy as np

from tools.masks import as_bool_mask, bbox, centroid, position_words, size_words
from tools.vocabulary import COLOR_NAMES

_MAX_SAMPLES = 20000


# an unsaturated pixel brighter than this (HSV value, after the photo's white balance) reads as white: at 0.85 the
# white toilets, sinks and fridges of coco_tiny read gray first in their shade, at 0.8 white first; at 0.75 a light
# grey (185) beside an off-white wall (235) read white too
WHITE_VALUE = 0.8


def pixel_color_names(rgb: np.ndarray) -> np.ndarray:
    """Name each RGB pixel (N, 3) uint8 -> (N,) int indices into COLOR_NAMES, by HSV rules."""
    hsv = cv2.cvtColor(rgb.reshape(-1, 1, 3).astype(np.uint8), cv2.COLOR_RGB2HSV_FULL).reshape(-1, 3)
    h = hsv[:, 0].astype(np.float32) * (360.0 / 256.0)
    s = hsv[:, 1].astype(np.float32) / 255.0
    v = hsv[:, 2].astype(np.float32) / 255.0
    idx = {name: i for i, name in enumerate(COLOR_NAMES)}
    out = np.full(h.shape, idx["gray"], np.int64)
    chromatic = (s >= 0.25) & (v >= 0.22)
    hue_names = np.select(
        [h < 15, h < 40, h < 70, h < 165, h < 255, h < 290, h < 340],
        [idx["red"], idx["orange"], idx["yellow"], idx["green"], idx["blue"], idx["purple"], idx["pink"]],
        default=idx["red"],
    )
    out[chromatic] = hue_names[chromatic]
    # dark or washed-out orange / yellow reads as brown (tan, chocolate, wood)
    brown = chromatic & (h >= 8) & (h < 50) & ((v < 0.6) | ((s < 0.45) & (v < 0.85)))
    out[brown] = idx["brown"]
    pink = chromatic & ((h < 15) | (h >= 340)) & (s < 0.5) & (v > 0.75)  # light red reads as pink
    out[pink] = idx["pink"]
    achromatic = ~chromatic
    out[achromatic & (v < 0.22)] = idx["black"]
    out[achromatic & (v > WHITE_VALUE)] = idx["white"]
    out[achromatic & (v >= 0.22) & (v <= WHITE_VALUE)] = idx["gray"]
    return out


WHITE_POINT_PERCENTILE = 99  # the photo's white: this percentile of the brightest channel of its pixels
MIN_WHITE_POINT = 150.0      # a dark photo is not brightened more than 255 / 150 (1.7x)
_last_white: list = [None, 255.0]  # (the last image's pixel array, its white point): one photo at a time


def white_point(pixels: np.ndarray) -> float:
    """The value (0..255) that reads as white in this photo (H, W, 3) uint8: a white mug in a dim kitchen is
    white to a person, though its pixels are gray in absolute terms. Cached for the last array seen."""
    if _last_white[0] is pixels:
        return _last_white[1]
    flat = pixels.reshape(-1, 3)
    flat = flat[:: max(1, flat.shape[0] // _MAX_SAMPLES)]
    value = max(float(np.percentile(flat.max(axis=1), WHITE_POINT_PERCENTILE)), MIN_WHITE_POINT)
    _last_white[:] = [pixels, value]
    return value


def photo_color_names(values: np.ndarray, pixels: np.ndarray) -> np.ndarray:
    """pixel_color_names of some of the photo's pixels (N, 3) after scaling the photo's white point to 255 (a
    white-patch balance of brightness only). On the real-photo dev set's 32 targets named by one colour, the
    gold mask's dominant colours held the said one 19 times with the balance, 16 without (white mugs, cups and
    keyboards read gray)."""
    scale = 255.0 / white_point(pixels)
    if scale > 1.0:
        values = np.clip(values.astype(np.float32) * scale, 0, 255).astype(np.uint8)
    return pixel_color_names(values)


def color_shares(pixels: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Share of the mask's pixels named each of COLOR_NAMES (float array, sums to 1; zeros for an empty mask),
    named against the photo's white point (photo_color_names)."""
    m = as_bool_mask(mask)
    values = pixels[m]
    if values.shape[0] == 0:
        return np.zeros(len(COLOR_NAMES))
    if values.shape[0] > _MAX_SAMPLES:
        step = values.shape[0] // _MAX_SAMPLES + 1
        values = values[::step]
    return np.bincount(photo_color_names(values, pixels), minlength=len(COLOR_NAMES)) / values.shape[0]


def dominant_colors(pixels: np.ndarray, mask: np.ndarray, max_colors: int = 2, min_share: float = 0.2) -> list[str]:
    """Up to max_colors colour names covering at least min_share of the mask's pixels, most frequent first
    (named against the photo's white point: photo_color_names)."""
    counts = color_shares(pixels, mask)
    if not counts.any():
        return []
    order = np.argsort(-counts, kind="stable")
    names = [COLOR_NAMES[i] for i in order[:max_colors] if counts[i] >= min_share]
    return names or [COLOR_NAMES[int(order[0])]]


NEUTRAL_COLORS = ("black", "white", "gray")
ACCENT_SHARE = 0.12  # a hue covering this share of a mostly black/gray/white thing is worth saying ("with some green")


def accent_color(pixels: np.ndarray, mask: np.ndarray, named: list[str]) -> tuple[str, float] | None:
    """(colour, share) of the largest hue (not black/white/gray) that covers at least ACCENT_SHARE of the mask
    and is not among `named` (its dominant colours), when those are all neutral: a green stove in shadow names
    gray first, yet its paint is what a person calls its colour. None otherwise."""
    if not named or any(c not in NEUTRAL_COLORS for c in named):
        return None
    counts = color_shares(pixels, mask)
    hues = [(float(counts[i]), name) for i, name in enumerate(COLOR_NAMES) if name not in NEUTRAL_COLORS]
    share, name = max(hues, default=(0.0, ""))
    return (name, share) if share >= ACCENT_SHARE else None


def shape_hint(mask: np.ndarray) -> str:
    """round / square / rectangular / elongated / irregular from fill ratio, aspect and circularity."""
    m = as_bool_mask(mask)
    box = bbox(m)
    if box is None:
        return "irregular"
    w, h = box[2] - box[0], box[3] - box[1]
    area = float(m.sum())
    fill = area / float(w * h)
    aspect = max(w, h) / max(min(w, h), 1)
    contours, _ = cv2.findContours(m.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    circularity = 4 * np.pi * area / perimeter**2 if perimeter > 0 else 0.0
    if aspect >= 2.5 and fill > 0.5:
        return "elongated"
    if fill >= 0.9:
        return "square" if aspect < 1.25 else "rectangular"
    if 0.65 <= fill < 0.9 and circularity > 0.8 and aspect < 1.6:
        return "round"
    if aspect >= 2.5:
        return "elongated"
    return "irregular"


def text_inside(mask: np.ndarray, text_boxes) -> list[str]:
    """Texts of OCR boxes (objects with .text and .box) whose centre falls inside the mask."""
    m = as_bool_mask(mask)
    h, w = m.shape
    found = []
    for tb in text_boxes or ():
        cx = int(min(max((tb.box[0] + tb.box[2]) / 2, 0), w - 1))
        cy = int(min(max((tb.box[1] + tb.box[3]) / 2, 0), h - 1))
        if m[cy, cx]:
            found.append(tb.text)
    return found


def describe(mask: np.ndarray, pixels: np.ndarray, text_boxes=None) -> dict:
    """Descriptors of one mask on an (H, W, 3) uint8 image (see module docstring for the keys)."""
    m = as_bool_mask(mask)
    h, w = m.shape
    if pixels.shape[:2] != (h, w):
        raise ValueError(f"mask shape {(h, w)} does not match image {pixels.shape[:2]}")
    box = bbox(m) or [0, 0, 0, 0]
    area = int(m.sum())
    fraction = area / float(h * w)
    c = centroid(m) or (0.0, 0.0)
    attrs = {
        "box": box,
        "position": position_words(box, w, h),
        "area": area,
        "area_fraction": round(fraction, 5),
        "size": size_words(fraction),
        "colors": dominant_colors(pixels, m) if area else [],
        "shape": shape_hint(m),
        "centroid": [round(c[0], 1), round(c[1], 1)],
    }
    texts = text_inside(m, text_boxes)
    if texts:
        attrs["text"] = texts
    return attrs


def add_area_ranks(attribute_dicts: list[dict]) -> None:
    """Set "area_rank" (1 = largest) and "count" on each dict in place, ranking by "area"."""
    order = sorted(range(len(attribute_dicts)), key=lambda i: -attribute_dicts[i].get("area", 0))
    for rank, i in enumerate(order, start=1):
        attribute_dicts[i]["area_rank"] = rank
        attribute_dicts[i]["count"] = len(attribute_dicts)


def summary(attrs: dict) -> str:
    """One short phrase, e.g. "red round medium region at top left (rank 2 by size), text 'EXIT'"."""
    parts = [" ".join(attrs.get("colors", [])[:2]), attrs.get("shape", ""), attrs.get("size", ""), "region"]
    phrase = " ".join(p for p in parts if p and p != "irregular")
    phrase += f" at {attrs.get('position', '?')}"
    if "area_rank" in attrs:
        phrase += f" (size rank {attrs['area_rank']} of {attrs.get('count', '?')})"
    if attrs.get("text"):
        phrase += ", text " + ", ".join(f"'{t}'" for t in attrs["text"])
    return phrase
