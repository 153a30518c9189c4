"""MIRAS's own image frame for its CLIP / ConvNeXt towers (the SAM frame is tools.segmenters.sam_frame).

- `square_pixels(pixels uint8 (H, W, 3), size, mean, std)` -> float (1, 3, size, size): pad to a square with the
  mean colour, bicubic resize, normalise (LLaVA's "pad" aspect mode; mean/std on [0, 1]).
"""
from __future__ import annotations

import numpy as np
import torch
from PIL import Image


def square_pixels(pixels: np.ndarray, size: int, mean: list[float], std: list[float]) -> torch.Tensor:
    h, w = pixels.shape[:2]
    side = max(h, w)
    canvas = np.empty((side, side, 3), dtype=np.uint8)
    canvas[:] = (np.array(mean) * 255).round().astype(np.uint8)
    top, left = (side - h) // 2, (side - w) // 2
    canvas[top: top + h, left: left + w] = pixels
    resized = np.asarray(Image.fromarray(canvas).resize((size, size), Image.BICUBIC), dtype=np.float32) / 255.0
    norm = (resized - np.array(mean, dtype=np.float32)) / np.array(std, dtype=np.float32)
    return torch.from_numpy(norm).permute(2, 0, 1)[None].contiguous()
