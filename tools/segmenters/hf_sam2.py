"""`HfSam2Segmenter`: a transformers `Sam2Model` (SAM 2 / 2.1, Hiera encoder) from a local folder, behind the
Segmenter protocol. SAM 2 resizes the image to a square (no padding): prompts are scaled per axis and the
256 x 256 low-resolution logits are resized straight to the original size.
"""
from __future__ import annotations

import torch

from tools.segmenters.base import ImageEmbedding
from tools.segmenters.embedding_cache import EMBEDDING_CACHE, EmbeddingCache
from tools.segmenters.hf_decoding import HfPromptDecoding
from tools.segmenters.hf_sam import check_folder, read_preprocessor_config
from tools.segmenters.prompts import PromptError
from tools.segmenters.sam_frame import IMAGENET_MEAN, IMAGENET_STD, normalised_pixels, resize_logits


class HfSam2Segmenter(HfPromptDecoding):
    """SAM 2 through transformers; features are the list of multi-scale maps from get_image_embeddings."""

    name = "sam2"

    def __init__(self, path=None, num_threads: int | None = None, prompts_per_batch: int = 16,
                 cache: EmbeddingCache | None = None):
        from transformers import Sam2Model

        folder = check_folder(path)
        self.model = Sam2Model.from_pretrained(str(folder), local_files_only=True).eval()
        cfg = read_preprocessor_config(folder)
        size = cfg.get("size", {}) or {}
        default = int(self.model.config.vision_config.backbone_config.image_size[0]) if hasattr(
            self.model.config.vision_config, "backbone_config") else 1024
        self.image_size = (int(size.get("height", default)), int(size.get("width", default)))
        self.mean = tuple(cfg.get("image_mean", IMAGENET_MEAN))
        self.std = tuple(cfg.get("image_std", IMAGENET_STD))
        self.num_threads = num_threads
        self.prompts_per_batch = prompts_per_batch
        self.cache = cache if cache is not None else EMBEDDING_CACHE
        self.cache_key = f"sam2:{folder.resolve()}"
        self.low_res = int(self.model.prompt_encoder.mask_input_size[0])

    @property
    def frame_side(self) -> int:
        return self.image_size[0]

    def _encode(self, img) -> ImageEmbedding:
        x = normalised_pixels(img.pixels, self.image_size, self.mean, self.std, scale=255.0)
        with torch.inference_mode():
            feats = list(self.model.get_image_embeddings(x))
        return ImageEmbedding(feats, (img.height, img.width), self.image_size, img.sha256, extra={"backend": self.name})

    def _features(self, embedding: ImageEmbedding) -> list:
        if not isinstance(embedding.features, list):
            raise PromptError("embedding is not from a sam2 segmenter")
        return embedding.features

    def upsample(self, low: torch.Tensor, embedding: ImageEmbedding) -> torch.Tensor:
        """(..., 256, 256) logits -> (..., H, W) at original size (the square frame has no padding)."""
        return resize_logits(low, embedding.original_size)
