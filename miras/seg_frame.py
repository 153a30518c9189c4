"""The SAM input frame: resize the longest side to S, normalise, pad to S x S; and the way back.

- `sam_frame(pixels uint8 (H, W, 3), S)` -> (float tensor (1, 3, S, S), input_size (h, w)).
- `mask_to_lowres(mask bool (H, W), input_size, S, L)` -> float (L, L) in [0, 1], the mask placed in the padded frame
  and area-downsampled to the decoder's low-res grid (L = 4 x embedding side; 256 for SAM).
- `lowres_to_original(logits (..., L, L), input_size, S, original_size)` -> logits (..., H, W).
- `square_pixels(pixels, size, mean, std)` -> (1, 3, size, size): pad to a square with the mean colour, resize,
  normalise (LLaVA's "pad" aspect mode, for CLIP/ConvNeXt towers).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

SAM_MEAN = np.array([123.675, 116.28, 103.53], dtype=np.float32)
SAM_STD = np.array([58.395, 57.12, 57.375], dtype=np.float32)


def frame_size(height: int, width: int, side: int) -> tuple[int, int]:
    scale = side / max(height, width)
    return int(height * scale + 0.5), int(width * scale + 0.5)


def sam_frame(pixels: np.ndarray, side: int) -> tuple[torch.Tensor, tuple[int, int]]:
    h, w = frame_size(pixels.shape[0], pixels.shape[1], side)
    resized = np.asarray(Image.fromarray(pixels).resize((w, h), Image.BILINEAR), dtype=np.float32)
    norm = (resized - SAM_MEAN) / SAM_STD
    out = torch.zeros(1, 3, side, side)
    out[0, :, :h, :w] = torch.from_numpy(norm).permute(2, 0, 1)
    return out, (h, w)


def mask_to_lowres(mask: np.ndarray, input_size: tuple[int, int], side: int, low: int) -> torch.Tensor:
    h, w = input_size
    m = torch.from_numpy(np.asarray(mask, dtype=np.float32))[None, None]
    m = F.interpolate(m, size=(h, w), mode="bilinear", align_corners=False)
    framed = torch.zeros(1, 1, side, side)
    framed[..., :h, :w] = m
    return F.adaptive_avg_pool2d(framed, low)[0, 0].clamp(0, 1)


def lowres_to_original(logits: torch.Tensor, input_size: tuple[int, int], side: int,
                       original_size: tuple[int, int]) -> torch.Tensor:
    lead = logits.shape[:-2]
    x = logits.reshape(-1, 1, *logits.shape[-2:]).float()
    x = F.interpolate(x, size=(side, side), mode="bilinear", align_corners=False)
    x = x[..., : input_size[0], : input_size[1]]
    x = F.interpolate(x, size=tuple(original_size), mode="bilinear", align_corners=False)
    return x.reshape(*lead, *original_size)


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
