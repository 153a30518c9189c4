"""Validate and normalise segmenter prompts given as numpy arrays (or lists) in original image pixels.

Accepted shapes: boxes (4,) or (N, 4) [x0, y0, x1, y1]; points (2,) one point, (P, 2) one prompt of P
points, or (N, P, 2); point_labels matching points without the last axis (default all 1 = foreground);
mask_prompts (256, 256) or (N, 256, 256) low-resolution logits (or (N, 1, 256, 256)).
Prompt counts broadcast: any of them may have N = 1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class PromptError(ValueError):
    """A prompt with the wrong shape or values; the message is one line."""


@dataclass
class Prompts:
    """Normalised prompts: boxes (N, 4), points (N, P, 2), labels (N, P) int64, masks (N, 1, S, S); n prompts."""

    boxes: np.ndarray | None
    points: np.ndarray | None
    labels: np.ndarray | None
    masks: np.ndarray | None
    n: int

    def scaled(self, original_size: tuple[int, int], input_size: tuple[int, int]) -> "Prompts":
        """Coordinates converted from original pixels to the model's resized input frame."""
        sy = input_size[0] / original_size[0]
        sx = input_size[1] / original_size[1]
        scale = np.array([sx, sy], np.float32)
        boxes = None if self.boxes is None else (self.boxes.reshape(-1, 2, 2) * scale).reshape(-1, 4)
        points = None if self.points is None else self.points * scale
        return Prompts(boxes, points, self.labels, self.masks, self.n)

    def take(self, start: int, stop: int) -> "Prompts":
        """Prompts start..stop-1; an array given once (first axis 1) is shared by all of them."""
        def part(a):
            return a if a is None or a.shape[0] == 1 else a[start:stop]

        return Prompts(part(self.boxes), part(self.points), part(self.labels), part(self.masks),
                       min(stop, self.n) - start)


def _finite(arr: np.ndarray, what: str) -> np.ndarray:
    if not np.isfinite(arr).all():
        raise PromptError(f"{what} contain NaN or infinite values")
    return arr


def normalise_prompts(boxes=None, points=None, point_labels=None, mask_prompts=None, mask_size: int = 256) -> Prompts:
    """Check shapes/values and return `Prompts`; raises PromptError with a one-line message."""
    if boxes is None and points is None and mask_prompts is None:
        raise PromptError("give at least one prompt: boxes, points or mask_prompts")
    b = p = lab = m = None
    if boxes is not None:
        b = _finite(np.asarray(boxes, np.float32), "boxes")
        if b.ndim == 1:
            b = b[None]
        if b.ndim != 2 or b.shape[1] != 4 or b.shape[0] == 0:
            raise PromptError(f"boxes must have shape (N, 4) as [x0, y0, x1, y1], got {tuple(np.shape(boxes))}")
        b = np.concatenate([np.minimum(b[:, :2], b[:, 2:]), np.maximum(b[:, :2], b[:, 2:])], axis=1)
    if points is not None:
        p = _finite(np.asarray(points, np.float32), "points")
        if p.ndim == 1:
            p = p[None]
        if p.ndim == 2:
            p = p[None]
        if p.ndim != 3 or p.shape[2] != 2 or p.shape[1] == 0 or p.shape[0] == 0:
            raise PromptError(f"points must have shape (P, 2) or (N, P, 2) as [x, y], got {tuple(np.shape(points))}")
        if point_labels is None:
            lab = np.ones(p.shape[:2], np.int64)
        else:
            lab = np.asarray(point_labels).astype(np.int64).reshape(-1)
            if lab.size != p.shape[0] * p.shape[1]:
                raise PromptError(f"point_labels must have one label per point ({p.shape[0] * p.shape[1]}), got {lab.size}")
            lab = lab.reshape(p.shape[:2])
            if not np.isin(lab, (0, 1)).all():
                raise PromptError("point_labels must be 1 (foreground) or 0 (background)")
    elif point_labels is not None:
        raise PromptError("point_labels given without points")
    if mask_prompts is not None:
        m = _finite(np.asarray(mask_prompts, np.float32), "mask_prompts")
        if m.ndim == 2:
            m = m[None]
        if m.ndim == 4 and m.shape[1] == 1:
            m = m[:, 0]
        if m.ndim != 3 or m.shape[1:] != (mask_size, mask_size):
            raise PromptError(f"mask_prompts must have shape (N, {mask_size}, {mask_size}) (low-res logits), got {tuple(np.shape(mask_prompts))}")
        m = m[:, None]
    counts = {x.shape[0] for x in (b, p, m) if x is not None}
    if len(counts - {1}) > 1:
        raise PromptError(f"prompt counts differ: {sorted(counts)} (each must be N or 1)")
    n = max(counts)
    return Prompts(b, p, lab, m, n)
