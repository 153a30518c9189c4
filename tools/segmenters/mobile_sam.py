"""MobileSAM pieces: the TinyViT image encoder and the checkpoint loader (input frame: tools.segmenters.sam_frame)."""
from __future__ import annotations

from pathlib import Path

import torch

from tools.segmenters.sam_decoder import SamPromptDecoder, load_sam_prompt_decoder
from tools.segmenters.tiny_vit import TinyViT


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
