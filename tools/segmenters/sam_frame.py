"""The SAM input frame and the way back: the one copy for MobileSAM, the transformers SAM / SAM 2 backends and MIRAS.

Forward (pixels uint8 (H, W, 3)):
- `frame_size(H, W, S)` -> (h, w): the longest side scaled to S, rounded as SAM's ResizeLongestSide.
- `normalised_pixels(pixels, (h, w), mean, std, scale=1)` -> float (1, 3, h, w): bilinear resize to (h, w),
  divide by `scale`, then (x - mean) / std per channel (SAM 2's square input uses this alone, no padding).
- `sam_frame(pixels, S, mean, std, scale=1, pad=S)` -> (float (1, 3, pad, pad), input_size (h, w)): the above at
  frame_size, zero-padded bottom/right.
Back (logits, any leading dims):
- `lowres_to_original(logits (..., L, L), input_size, S, original_size)` -> (..., H, W): through the padded frame
  (upsample to S x S, crop input_size, resize to the original size).
- `resize_logits(logits (..., l, l), (H, W))` -> (..., H, W): straight, for a frame without padding.
Mask prompt: `mask_to_lowres(mask bool (H, W), input_size, S, L)` -> float (L, L) in [0, 1].
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

SAM_IMAGE_SIZE = 1024
SAM_MEAN = (123.675, 116.28, 103.53)  # on 0..255
SAM_STD = (58.395, 57.12, 57.375)
IMAGENET_MEAN = (0.485, 0.456, 0.406)  # the same on 0..1 (scale=255), as transformers preprocessor configs write it
IMAGENET_STD = (0.229, 0.224, 0.225)


def frame_size(height: int, width: int, side: int) -> tuple[int, int]:
    """(H, W) -> (h, w) with the longest side scaled to `side`."""
    scale = side / max(height, width)
    return int(height * scale + 0.5), int(width * scale + 0.5)


def normalised_pixels(pixels: np.ndarray, size_hw: tuple[int, int], mean=SAM_MEAN, std=SAM_STD,
                      scale: float = 1.0) -> torch.Tensor:
    """uint8 (H, W, 3) -> float (1, 3, h, w): bilinear resize to size_hw, divide by scale, normalise."""
    if pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.dtype != np.uint8:
        raise ValueError(f"expected uint8 (H, W, 3) pixels, got {pixels.dtype} {tuple(pixels.shape)}")
    if tuple(pixels.shape[:2]) != tuple(size_hw):
        pixels = np.asarray(Image.fromarray(pixels).resize((size_hw[1], size_hw[0]), Image.BILINEAR))
    x = np.array(pixels, dtype=np.float32)
    if scale != 1.0:
        x = x / scale
    x = torch.from_numpy(x).permute(2, 0, 1)
    x = (x - torch.tensor(mean).view(3, 1, 1)) / torch.tensor(std).view(3, 1, 1)
    return x[None]


def sam_frame(pixels: np.ndarray, side: int = SAM_IMAGE_SIZE, mean=SAM_MEAN, std=SAM_STD, scale: float = 1.0,
              pad: int | None = None) -> tuple[torch.Tensor, tuple[int, int]]:
    """uint8 (H, W, 3) -> (float (1, 3, P, P) with P = pad or side, (h, w) of the resized image inside it)."""
    h, w = frame_size(pixels.shape[0], pixels.shape[1], side)
    pad = side if pad is None else pad
    out = torch.zeros(1, 3, pad, pad)
    out[..., :h, :w] = normalised_pixels(pixels, (h, w), mean, std, scale)
    return out, (h, w)


def resize_logits(logits: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """(..., h, w) logits -> float (..., H, W), bilinear (align_corners=False)."""
    lead = logits.shape[:-2]
    x = F.interpolate(logits.reshape(-1, 1, *logits.shape[-2:]).float(), size=tuple(size), mode="bilinear",
                      align_corners=False)
    return x.reshape(*lead, *x.shape[-2:])


def lowres_to_original(logits: torch.Tensor, input_size: tuple[int, int], side: int,
                       original_size: tuple[int, int]) -> torch.Tensor:
    """(..., L, L) logits -> (..., H, W): upsample to the side x side frame, crop input_size, resize."""
    framed = resize_logits(logits, (side, side))[..., : input_size[0], : input_size[1]]
    return resize_logits(framed, original_size)


def mask_to_lowres(mask: np.ndarray, input_size: tuple[int, int], side: int, low: int) -> torch.Tensor:
    """bool (H, W) -> float (low, low) in [0, 1]: resized to input_size, placed in the padded frame, area-pooled."""
    h, w = input_size
    m = torch.from_numpy(np.asarray(mask, dtype=np.float32))[None, None]
    m = F.interpolate(m, size=(h, w), mode="bilinear", align_corners=False)
    framed = torch.zeros(1, 1, side, side)
    framed[..., :h, :w] = m
    return F.adaptive_avg_pool2d(framed, low)[0, 0].clamp(0, 1)
