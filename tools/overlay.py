"""Overlay rendering: masks drawn as a tinted fill plus an outline, several masks in distinct colours.

`render_overlay(pixels (H, W, 3) uint8, masks [(H, W) bool], labels?) -> (H, W, 3) uint8`.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from tools.masks import as_bool_mask, bbox

PALETTE: list[tuple[int, int, int]] = [
    (255, 56, 56), (30, 144, 255), (50, 205, 50), (255, 165, 0), (186, 85, 211),
    (0, 206, 209), (255, 20, 147), (255, 215, 0), (139, 69, 19), (112, 128, 144),
]


def color_for(index: int) -> tuple[int, int, int]:
    return PALETTE[index % len(PALETTE)]


def render_overlay(
    pixels: np.ndarray,
    masks: list[np.ndarray],
    labels: list[str] | None = None,
    alpha: float = 0.45,
    outline: int = 2,
) -> np.ndarray:
    """Tint each mask in its own colour, draw its outline and an optional label at its box corner."""
    out = pixels.astype(np.float32).copy()
    h, w = pixels.shape[:2]
    thickness = max(outline, int(round(max(h, w) / 400)))
    outlines = np.zeros((h, w, 3), np.uint8)
    outline_mask = np.zeros((h, w), np.uint8)
    for i, mask in enumerate(masks):
        m = as_bool_mask(mask)
        if m.shape != (h, w):
            raise ValueError(f"mask {i} has shape {m.shape}, image is {(h, w)}")
        color = np.array(color_for(i), np.float32)
        out[m] = out[m] * (1 - alpha) + color * alpha
        contours, _ = cv2.findContours(m.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        layer = np.zeros((h, w), np.uint8)
        cv2.drawContours(layer, contours, -1, 1, thickness)
        outlines[layer > 0] = color_for(i)
        outline_mask |= layer
    out[outline_mask > 0] = outlines[outline_mask > 0]
    result = np.clip(out, 0, 255).astype(np.uint8)
    if labels:
        img = Image.fromarray(result)
        draw = ImageDraw.Draw(img)
        for i, (mask, label) in enumerate(zip(masks, labels)):
            box = bbox(mask)
            if box is None or not label:
                continue
            x, y = box[0], max(0, box[1] - 14)
            tw = draw.textlength(label)
            draw.rectangle([x, y, x + tw + 6, y + 14], fill=color_for(i))
            draw.text((x + 3, y + 1), label, fill=(255, 255, 255))
        result = np.asarray(img)
    return result


def save_overlay(pixels: np.ndarray, masks: list[np.ndarray], path: str | Path, labels: list[str] | None = None) -> Path:
    """Render and write an overlay PNG; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(render_overlay(pixels, masks, labels)).save(path)
    return path
