"""`HfSam2Segmenter`: a transformers `Sam2Model` (SAM 2 / 2.1, Hiera encoder) from a local folder, behind the
Segmenter protocol. SAM 2 resizes the image to a square (no padding): prompts are scaled per axis and the
256 x 256 low-resolution logits are resized straight to the original size.
"""
from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn.functional as F

from tools.images import ImageInput, load_image
from tools.segmenters.base import ImageEmbedding, Proposal, SegmentResult
from tools.segmenters.embedding_cache import CachedEmbedder, EMBEDDING_CACHE, EmbeddingCache
from tools.segmenters.hf_sam import IMAGENET_MEAN, IMAGENET_STD, check_folder, normalise_pixels, read_preprocessor_config
from tools.segmenters.prompts import PromptError, normalise_prompts
from tools.segmenters.propose import generate_proposals


class HfSam2Segmenter(CachedEmbedder):
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

    def _encode(self, img) -> ImageEmbedding:
        x = normalise_pixels(img.pixels, self.image_size, self.mean, self.std)
        with torch.inference_mode():
            feats = list(self.model.get_image_embeddings(x))
        return ImageEmbedding(feats, (img.height, img.width), self.image_size, img.sha256, extra={"backend": self.name})

    @torch.inference_mode()
    def _decode(self, feats, boxes=None, points=None, labels=None, masks=None, multimask=True):
        out = self.model(image_embeddings=feats, input_boxes=boxes, input_points=points, input_labels=labels,
                         input_masks=masks, multimask_output=multimask)
        return out.pred_masks[0], out.iou_scores[0]

    def segment(self, embedding: ImageEmbedding, boxes=None, points=None, point_labels=None, mask_prompts=None,
                multimask: bool = True) -> SegmentResult:
        if not isinstance(embedding.features, list):
            raise PromptError("embedding is not from a sam2 segmenter")
        p = normalise_prompts(boxes, points, point_labels, mask_prompts, self.low_res)
        p = p.scaled(embedding.original_size, embedding.input_size)
        self._threads()
        t0 = time.perf_counter()
        step = 1 if p.masks is not None else self.prompts_per_batch
        lows, scores = [], []
        for i in range(0, p.n, step):
            cnt = min(step, p.n - i)

            def sl(a):
                if a is None:
                    return None
                t = torch.from_numpy(a[:1] if a.shape[0] == 1 else a[i : i + cnt])
                return t.expand(cnt, *t.shape[1:])[None]

            m = None if p.masks is None else torch.from_numpy(p.masks[0 if p.masks.shape[0] == 1 else i])[None]
            low, sc = self._decode(embedding.features, sl(p.boxes), sl(p.points), sl(p.labels), m, multimask)
            lows.append(low)
            scores.append(sc)
        low, sc = torch.cat(lows), torch.cat(scores)
        order = sc.argsort(dim=1, descending=True)
        sc = sc.gather(1, order)
        low = low.gather(1, order[:, :, None, None].expand_as(low))
        masks = np.stack([self.upsample(low[i], embedding).numpy() > 0 for i in range(low.shape[0])])
        return SegmentResult(masks, sc.numpy(), low.numpy(), time.perf_counter() - t0)

    @staticmethod
    def upsample(low: torch.Tensor, embedding: ImageEmbedding) -> torch.Tensor:
        """(..., 256, 256) logits -> (..., H, W) at original size."""
        lead = low.shape[:-2]
        x = F.interpolate(low.reshape(-1, 1, *low.shape[-2:]).float(), tuple(embedding.original_size),
                          mode="bilinear", align_corners=False)
        return x.view(*lead, *x.shape[-2:])

    def propose(self, image: ImageInput, points_per_side: int = 16, **kwargs) -> list[Proposal]:
        img = load_image(image)
        emb = self.embed(img)
        kwargs.setdefault("pixels", img.pixels)

        def decode(pts):
            return self._decode(emb.features, points=pts[None], labels=torch.ones(1, *pts.shape[:2], dtype=torch.long))

        # the square input has no padding: treat the full low-res map as the image area
        return generate_proposals(decode, lambda low: self.upsample(low, emb), emb.original_size, self.image_size,
                                  self.image_size[0], points_per_side, **kwargs)
