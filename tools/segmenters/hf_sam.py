"""`HfSamSegmenter`: a transformers `SamModel` from a local folder (or a converted original .pth) behind the
Segmenter protocol. Preprocessing follows the folder's preprocessor_config.json when present (longest side
to `size.longest_edge`, ImageNet mean/std on [0, 1], pad to `pad_size`), else SAM's defaults; the frame itself
is tools.segmenters.sam_frame, the prompt decoding tools.segmenters.hf_decoding.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

from tools.segmenters.base import ImageEmbedding
from tools.segmenters.embedding_cache import EMBEDDING_CACHE, EmbeddingCache
from tools.segmenters.hf_decoding import HfPromptDecoding
from tools.segmenters.prompts import PromptError
from tools.segmenters.sam_frame import IMAGENET_MEAN, IMAGENET_STD, lowres_to_original, sam_frame


class ModelFolderError(ValueError):
    """A model folder that is missing or unusable; the message is one line."""


def read_preprocessor_config(folder: Path) -> dict:
    path = folder / "preprocessor_config.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def check_folder(path) -> Path:
    if path is None:
        raise ModelFolderError("this segmenter needs path= (a local transformers model folder)")
    folder = Path(path)
    if not (folder / "config.json").is_file():
        raise ModelFolderError(f"{folder}: not a transformers model folder (no config.json)")
    return folder


class HfSamSegmenter(HfPromptDecoding):
    """SAM (ViT-B/L/H or any SamConfig) through transformers. Prompts in original pixels; masks at original size."""

    name = "sam"

    def __init__(self, path=None, model=None, num_threads: int | None = None, prompts_per_batch: int = 16,
                 cache: EmbeddingCache | None = None, cache_key: str | None = None):
        from transformers import SamModel

        cfg: dict = {}
        if model is None:
            folder = check_folder(path)
            model = SamModel.from_pretrained(str(folder), local_files_only=True)
            cfg = read_preprocessor_config(folder)
            cache_key = cache_key or f"sam:{folder.resolve()}"
        self.model = model.eval()
        self.num_threads = num_threads
        self.prompts_per_batch = prompts_per_batch
        self.cache = cache if cache is not None else EMBEDDING_CACHE
        self.cache_key = cache_key or f"sam:{id(model)}"
        self.image_size = int(cfg.get("size", {}).get("longest_edge", model.config.prompt_encoder_config.image_size))
        pad = cfg.get("pad_size", {}) or {}
        self.pad_size = int(pad.get("height", self.image_size))
        self.mean = tuple(cfg.get("image_mean", IMAGENET_MEAN))
        self.std = tuple(cfg.get("image_std", IMAGENET_STD))
        self.low_res = 4 * model.config.prompt_encoder_config.image_embedding_size

    @classmethod
    def from_pth(cls, path=None, **kwargs) -> "HfSamSegmenter":
        """An original segment-anything .pth (vit_b/l/h), converted to SamModel by key renaming; strict load."""
        from transformers import SamModel

        from tools.segmenters.sam_checkpoint import load_sam_pth

        if path is None or not Path(path).is_file():
            raise ModelFolderError(f"sam_pth needs path= to an original SAM .pth file (got {path})")
        sd, config = load_sam_pth(path)
        model = SamModel(config)
        model.load_state_dict(sd, strict=True)
        kwargs.setdefault("cache_key", f"sam_pth:{Path(path).resolve()}")
        seg = cls(model=model, **kwargs)
        seg.name = "sam_pth"
        return seg

    @property
    def frame_side(self) -> int:
        return self.pad_size

    def _encode(self, img) -> ImageEmbedding:
        x, input_size = sam_frame(img.pixels, self.image_size, self.mean, self.std, scale=255.0, pad=self.pad_size)
        with torch.inference_mode():
            feats = self.model.get_image_embeddings(x)
        return ImageEmbedding(feats, (img.height, img.width), input_size, img.sha256, extra={"backend": self.name})

    def _features(self, embedding: ImageEmbedding) -> torch.Tensor:
        feats = embedding.features
        if not isinstance(feats, torch.Tensor) or feats.ndim != 4:
            raise PromptError(f"embedding is not from a {self.name} segmenter")
        return feats

    def upsample(self, low: torch.Tensor, embedding: ImageEmbedding) -> torch.Tensor:
        """(..., L, L) logits -> (..., H, W): upsample to the pad size, crop the image area, resize to original."""
        return lowres_to_original(low, embedding.input_size, self.pad_size, embedding.original_size)
