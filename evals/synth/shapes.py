"""Object geometry: each category drawn inside a box as exact binary masks (no anti-aliasing).

`draw_object(category, box, height, width)` -> {"whole": bool (H, W), "parts": {part name: bool (H, W)}}
where box = (x0, y0, w, h) in pixels and parts are subsets of whole. Printed words are drawn separately
(`word_mask`), thresholded so they stay binary.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

SIMPLE = ("circle", "oval", "rectangle", "rounded box", "triangle", "star")
WITH_PARTS = {"mug": ("body", "handle"), "bottle": ("body", "cap"), "jar": ("body", "lid"),
              "carton": ("label",), "sign": ("board", "post")}
CATEGORIES = SIMPLE + tuple(WITH_PARTS)
ASPECT = {"circle": (1.0, 1.0), "oval": (1.5, 2.0), "rectangle": (1.2, 1.8), "rounded box": (0.9, 1.4),
          "triangle": (0.9, 1.3), "star": (1.0, 1.0), "mug": (1.1, 1.3), "bottle": (0.38, 0.5),
          "jar": (0.75, 0.95), "carton": (0.7, 1.3), "sign": (1.3, 1.8)}  # width / height ranges


def _canvas(height: int, width: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    img = Image.new("L", (width, height), 0)
    return img, ImageDraw.Draw(img)


def _done(img: Image.Image) -> np.ndarray:
    return np.asarray(img) > 0


def _rect(height, width, x0, y0, x1, y1, radius=0) -> np.ndarray:
    img, draw = _canvas(height, width)
    if radius > 0:
        draw.rounded_rectangle([x0, y0, x1 - 1, y1 - 1], radius=int(radius), fill=255)
    else:
        draw.rectangle([x0, y0, x1 - 1, y1 - 1], fill=255)
    return _done(img)


def _ellipse(height, width, x0, y0, x1, y1) -> np.ndarray:
    img, draw = _canvas(height, width)
    draw.ellipse([x0, y0, x1 - 1, y1 - 1], fill=255)
    return _done(img)


def _polygon(height, width, points) -> np.ndarray:
    img, draw = _canvas(height, width)
    draw.polygon([(float(x), float(y)) for x, y in points], fill=255)
    return _done(img)


def _star_points(cx, cy, r_out, r_in, n=5):
    pts = []
    for k in range(2 * n):
        r = r_out if k % 2 == 0 else r_in
        a = -math.pi / 2 + k * math.pi / n
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return pts


def draw_object(category: str, box: tuple[int, int, int, int], height: int, width: int) -> dict:
    x0, y0, w, h = box
    x1, y1 = x0 + w, y0 + h
    H, W = height, width
    parts: dict[str, np.ndarray] = {}
    if category == "circle":
        d = min(w, h)
        whole = _ellipse(H, W, x0, y0, x0 + d, y0 + d)
    elif category == "oval":
        whole = _ellipse(H, W, x0, y0, x1, y1)
    elif category == "rectangle":
        whole = _rect(H, W, x0, y0, x1, y1)
    elif category == "rounded box":
        whole = _rect(H, W, x0, y0, x1, y1, radius=min(w, h) * 0.25)
    elif category == "triangle":
        whole = _polygon(H, W, [(x0 + w / 2, y0), (x1, y1), (x0, y1)])
    elif category == "star":
        d = min(w, h)
        whole = _polygon(H, W, _star_points(x0 + d / 2, y0 + d / 2, d / 2, d / 4.8))
    elif category == "mug":
        bw = int(w * 0.72)
        body = _rect(H, W, x0, y0, x0 + bw, y1, radius=min(bw, h) * 0.12)
        cx, cy = x0 + bw, y0 + h / 2
        outer = _ellipse(H, W, int(cx - w * 0.28), int(cy - h * 0.3), int(cx + w * 0.28), int(cy + h * 0.3))
        inner = _ellipse(H, W, int(cx - w * 0.15), int(cy - h * 0.16), int(cx + w * 0.15), int(cy + h * 0.16))
        handle = outer & ~inner & ~body
        parts = {"body": body, "handle": handle}
        whole = body | handle
    elif category == "bottle":
        body = _rect(H, W, x0, y0 + int(h * 0.32), x1, y1, radius=w * 0.2)
        neck = _rect(H, W, x0 + int(w * 0.33), y0 + int(h * 0.12), x0 + int(w * 0.67), y0 + int(h * 0.34))
        cap = _rect(H, W, x0 + int(w * 0.28), y0, x0 + int(w * 0.72), y0 + int(h * 0.13))
        parts = {"body": (body | neck) & ~cap, "cap": cap}
        whole = body | neck | cap
    elif category == "jar":
        lid_h = int(h * 0.22)
        body = _rect(H, W, x0, y0 + lid_h, x1, y1, radius=w * 0.15)
        lid = _rect(H, W, x0 + int(w * 0.06), y0, x1 - int(w * 0.06), y0 + lid_h)
        parts = {"body": body, "lid": lid}
        whole = body | lid
    elif category == "carton":
        whole = _rect(H, W, x0, y0, x1, y1)
        parts = {"label": _rect(H, W, x0 + int(w * 0.12), y0 + int(h * 0.32), x1 - int(w * 0.12), y0 + int(h * 0.68))}
    elif category == "sign":
        board_h = int(h * 0.6)
        board = _rect(H, W, x0, y0, x1, y0 + board_h, radius=min(w, board_h) * 0.08)
        post = _rect(H, W, x0 + int(w * 0.45), y0 + board_h, x0 + int(w * 0.55), y1)
        parts = {"board": board, "post": post}
        whole = board | post
    else:
        raise ValueError(f"unknown category {category!r}")
    return {"whole": whole, "parts": parts}


@lru_cache(maxsize=1)
def _font_path() -> str:
    from matplotlib import font_manager

    return font_manager.findfont("DejaVu Sans")


def word_mask(word: str, region: np.ndarray) -> np.ndarray:
    """Binary mask of `word` printed centred in the box of `region`, sized to fit, clipped to the region."""
    ys, xs = np.nonzero(region)
    if xs.size == 0:
        return np.zeros_like(region)
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    bw, bh = int(x1 - x0), int(y1 - y0)
    size = max(8, int(bh * 0.7))
    font = ImageFont.truetype(_font_path(), size)
    while size > 8:
        left, top, right, bottom = font.getbbox(word)
        if right - left <= bw * 0.86 and bottom - top <= bh * 0.8:
            break
        size -= 2
        font = ImageFont.truetype(_font_path(), size)
    left, top, right, bottom = font.getbbox(word)
    img, draw = _canvas(region.shape[0], region.shape[1])
    draw.text((x0 + (bw - (right - left)) / 2 - left, y0 + (bh - (bottom - top)) / 2 - top), word, fill=255, font=font)
    return (np.asarray(img) >= 128) & region
