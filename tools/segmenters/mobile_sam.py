"""MobileSAM pieces: the TinyViT image encoder, SAM input preprocessing, and the checkpoint loader.

`sam_preprocess(pixels (H, W, 3) uint8) -> (tensor (1, 3, 1024, 1024), input_size (h, w))`:
resize the longest side to 1024 (bilinear, as SAM's ResizeLongestSide), normalise with SAM's pixel
mean/std, pad bottom/right with zeros to 1024 x 1024.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from tools.segmenters.sam_decoder import SamPromptDecoder, load_sam_prompt_decoder
from tools.segmenters.tiny_vit import TinyViT

SAM_IMAGE_SIZE = 1024
PIXEL_MEAN = (123.675, 116.28, 103.53)
PIXEL_STD = (58.395, 57.12, 57.375)


def sam_input_size(original_size: tuple[int, int], image_size: int = SAM_IMAGE_SIZE) -> tuple[int, int]:
    """(H, W) -> (h, w) with the longest side scaled to image_size (rounded as SAM does)."""
    h, w = original_size
    scale = image_size / max(h, w)
    return int(h * scale + 0.5), int(w * scale + 0.5)


def sam_preprocess(pixels: np.ndarray, image_size: int = SAM_IMAGE_SIZE) -> tuple[torch.Tensor, tuple[int, int]]:
    """uint8 (H, W, 3) -> (normalised, padded float (1, 3, S, S), (h, w) of the resized image inside it)."""
    if pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.dtype != np.uint8:
        raise ValueError(f"expected uint8 (H, W, 3) pixels, got {pixels.dtype} {tuple(pixels.shape)}")
    h, w = sam_input_size(pixels.shape[:2], image_size)
    if (h, w) != pixels.shape[:2]:
        pixels = np.asarray(Image.fromarray(pixels).resize((w, h), Image.BILINEAR))
    x = torch.from_numpy(np.array(pixels, dtype=np.float32)).permute(2, 0, 1)
    x = (x - torch.tensor(PIXEL_MEAN).view(3, 1, 1)) / torch.tensor(PIXEL_STD).view(3, 1, 1)
    out = torch.zeros(1, 3, image_size, image_size)
    out[0, :, :h, :w] = x
    return out, (h, w)


def load_checkpoint(path: str | Path) -> dict:
    """torch.load a state dict safely (weights_only); unwraps {'model': ...} / {'state_dict': ...}."""
    sd = torch.load(str(path), map_location="cpu", weights_only=True)
    for key in ("model", "state_dict"):
        if isinstance(sd, dict) and key in sd and isinstance(sd[key], dict):
            sd = sd[key]
    if not isinstance(sd, dict):
        raise ValueError(f"{path}: not a state dict")
    return sd


def build_mobile_sam_image_encoder(state_dict: dict | None = None) -> TinyViT:
    """TinyViT-5M encoder: (B, 3, 1024, 1024) -> (B, 256, 64, 64). With a state dict (full MobileSAM
    checkpoint with `image_encoder.*` keys, or the encoder's own keys), loads it strictly; else random."""
    enc = TinyViT()
    if state_dict is not None:
        prefix = "image_encoder."
        if any(k.startswith(prefix) for k in state_dict):
            state_dict = {k[len(prefix):]: v for k, v in state_dict.items() if k.startswith(prefix)}
        enc.load_state_dict(state_dict, strict=True)
    return enc.eval()


def load_mobile_sam(path: str | Path | None = None) -> tuple[TinyViT, SamPromptDecoder]:
    """(image encoder, prompt decoder) from the MobileSAM checkpoint (default: the embedded weights).

    Raises tools.weights.MissingWeightsError when the embedded file is absent.
    """
    if path is None:
        from tools.weights import weight_path

        path = weight_path("mobile_sam")
    sd = load_checkpoint(path)
    return build_mobile_sam_image_encoder(sd), load_sam_prompt_decoder(sd)
