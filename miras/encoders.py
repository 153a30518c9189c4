"""Builders for the frozen encoders and the SAM prompt decoder, chosen by config.

- `build_seg_encoder(seg)`: (B, 3, S, S) SAM-normalised -> (B, D, e, e). "tiny" random frozen conv,
  "mobile_sam" (TinyViT from tools/, real weights), "sam_hf" (transformers SamModel from a local folder).
- `build_prompt_decoder(seg)`: tools' SamPromptDecoder, tiny random or initialised from real weights.
- `build_clip_tower(vision)` / `build_convnext(vision)`: transformers CLIPVisionModel / ConvNextModel from a local
  folder, or from a tiny random config when no path is given (how tests exercise the paper's classes).
Every builder seeds its random init so the same config always gives the same frozen weights.
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from miras.config import ConfigError, SegConfig, VisionConfig


def _frozen(module: nn.Module) -> nn.Module:
    module.eval()
    for p in module.parameters():
        p.requires_grad_(False)
    return module


def _local_folder(path: str | None, what: str) -> str:
    if not path or not Path(path).is_dir():
        raise ConfigError(f"{what}: local folder not found: {path}")
    return str(path)


class TinySamEncoder(nn.Module):
    """A random conv stand-in for SAM's image encoder: (B, 3, S, S) -> (B, embed_dim, S/4, S/4)."""

    def __init__(self, embed_dim: int, image_size: int, embedding_size: int):
        super().__init__()
        if image_size % embedding_size:
            raise ConfigError("tiny SAM encoder: image_size must be a multiple of embedding_size")
        stride = image_size // embedding_size
        self.net = nn.Sequential(
            nn.Conv2d(3, embed_dim, kernel_size=stride, stride=stride), nn.GELU(),
            nn.Conv2d(embed_dim, embed_dim, kernel_size=3, padding=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class HFSamEncoder(nn.Module):
    """transformers SamModel's image encoder: (B, 3, 1024, 1024) -> (B, 256, 64, 64)."""

    def __init__(self, folder: str):
        super().__init__()
        from transformers import SamModel

        self.sam = SamModel.from_pretrained(folder, local_files_only=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.sam.get_image_embeddings(x)


def _mobile_sam_state() -> dict[str, torch.Tensor]:
    from tools.weights import weight_path

    return torch.load(weight_path("mobile_sam"), map_location="cpu", weights_only=True)


def build_seg_encoder(seg: SegConfig) -> nn.Module:
    if seg.encoder == "tiny":
        with torch.random.fork_rng():
            torch.manual_seed(1234)
            return _frozen(TinySamEncoder(seg.embed_dim, seg.image_size, seg.embedding_size))
    if seg.encoder == "mobile_sam":
        from tools.segmenters.mobile_sam import build_mobile_sam_image_encoder

        return _frozen(build_mobile_sam_image_encoder(_mobile_sam_state()))
    if seg.encoder == "sam_hf":
        return _frozen(HFSamEncoder(_local_folder(seg.path, "SAM image encoder")))
    raise ConfigError(f"unknown seg encoder {seg.encoder!r}")


def build_prompt_decoder(seg: SegConfig) -> nn.Module:
    from tools.segmenters import sam_decoder

    if seg.decoder_weights is None:
        with torch.random.fork_rng():
            torch.manual_seed(4321)
            return sam_decoder.tiny_sam_prompt_decoder(embed_dim=seg.embed_dim,
                                                       image_embedding_size=seg.embedding_size)
    if seg.decoder_weights == "mobile_sam":
        state = _mobile_sam_state()
    else:
        path = Path(seg.decoder_weights)
        if not path.is_file():
            raise ConfigError(f"SAM decoder weights not found: {path}")
        state = torch.load(path, map_location="cpu", weights_only=True)
    keep = {k: v for k, v in state.items() if k.startswith(("prompt_encoder.", "mask_decoder."))}
    return sam_decoder.load_sam_prompt_decoder(keep)


def build_clip_tower(vision: VisionConfig) -> nn.Module:
    from transformers import CLIPVisionConfig, CLIPVisionModel

    if vision.path:
        return _frozen(CLIPVisionModel.from_pretrained(_local_folder(vision.path, "CLIP tower"),
                                                       local_files_only=True))
    cfg = CLIPVisionConfig(hidden_size=vision.hidden_size, intermediate_size=vision.hidden_size * 2,
                           num_hidden_layers=vision.num_layers, num_attention_heads=2,
                           image_size=vision.image_size, patch_size=vision.patch_size)
    with torch.random.fork_rng():
        torch.manual_seed(11)
        return _frozen(CLIPVisionModel(cfg))


def build_convnext(vision: VisionConfig) -> nn.Module:
    from transformers import ConvNextConfig, ConvNextModel

    if vision.aux_path:
        return _frozen(ConvNextModel.from_pretrained(_local_folder(vision.aux_path, "ConvNeXt tower"),
                                                     local_files_only=True))
    sizes = list(vision.aux_hidden_sizes)
    cfg = ConvNextConfig(num_channels=3, hidden_sizes=sizes, depths=[1] * len(sizes), num_stages=len(sizes),
                         image_size=vision.aux_image_size)
    with torch.random.fork_rng():
        torch.manual_seed(12)
        return _frozen(ConvNextModel(cfg))
