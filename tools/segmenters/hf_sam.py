"""`HfSamSegmenter`: a transformers `SamModel` from a local folder (or a converted original .pth) behind the
Segmenter protocol. Preprocessing follows the folder's preprocessor_config.json when present (longest side
to `size.longest_edge`, ImageNet mean/std on [0, 1], pad to `pad_size`), else SAM's defaults.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from tools.images import ImageInput, load_image
from tools.segmenters.base import ImageEmbedding, Proposal, SegmentResult
from tools.segmenters.embedding_cache import CachedEmbedder, EMBEDDING_CACHE, EmbeddingCache
from tools.segmenters.prompts import PromptError, normalise_prompts
from tools.segmenters.propose import generate_proposals

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class ModelFolderError(ValueError):
    """A model folder that is missing or unusable; the message is one line."""


def read_preprocessor_config(folder: Path) -> dict:
    path = folder / "preprocessor_config.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def normalise_pixels(pixels: np.ndarray, size_hw: tuple[int, int], mean, std) -> torch.Tensor:
    """uint8 (H, W, 3) -> float (1, 3, h, w): bilinear resize to size_hw, scale to [0, 1], normalise."""
    if tuple(pixels.shape[:2]) != tuple(size_hw):
        pixels = np.asarray(Image.fromarray(pixels).resize((size_hw[1], size_hw[0]), Image.BILINEAR))
    x = torch.from_numpy(np.array(pixels, dtype=np.float32) / 255.0).permute(2, 0, 1)
    x = (x - torch.tensor(mean).view(3, 1, 1)) / torch.tensor(std).view(3, 1, 1)
    return x[None]


def check_folder(path) -> Path:
    if path is None:
        raise ModelFolderError("this segmenter needs path= (a local transformers model folder)")
    folder = Path(path)
    if not (folder / "config.json").is_file():
        raise ModelFolderError(f"{folder}: not a transformers model folder (no config.json)")
    return folder


class HfSamSegmenter(CachedEmbedder):
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

    def _encode(self, img) -> ImageEmbedding:
        h, w = img.height, img.width
        scale = self.image_size / max(h, w)
        input_size = (int(h * scale + 0.5), int(w * scale + 0.5))
        x = normalise_pixels(img.pixels, input_size, self.mean, self.std)
        x = F.pad(x, (0, self.pad_size - input_size[1], 0, self.pad_size - input_size[0]))
        with torch.inference_mode():
            feats = self.model.get_image_embeddings(x)
        return ImageEmbedding(feats, (h, w), input_size, img.sha256, extra={"backend": self.name})

    @torch.inference_mode()
    def _decode(self, feats, boxes=None, points=None, labels=None, masks=None, multimask=True):
        out = self.model(image_embeddings=feats, input_boxes=boxes, input_points=points, input_labels=labels,
                         input_masks=masks, multimask_output=multimask)
        return out.pred_masks[0], out.iou_scores[0]

    def segment(self, embedding: ImageEmbedding, boxes=None, points=None, point_labels=None, mask_prompts=None,
                multimask: bool = True) -> SegmentResult:
        feats = embedding.features
        if not isinstance(feats, torch.Tensor) or feats.ndim != 4:
            raise PromptError(f"embedding is not from a {self.name} segmenter")
        p = normalise_prompts(boxes, points, point_labels, mask_prompts, self.low_res)
        p = p.scaled(embedding.original_size, embedding.input_size)
        self._threads()
        t0 = time.perf_counter()
        # transformers' SamModel takes one dense mask prompt per image: decode mask prompts one by one.
        step = 1 if p.masks is not None else self.prompts_per_batch
        lows, scores = [], []
        for i in range(0, p.n, step):
            cnt = min(step, p.n - i)

            def sl(a, tail):
                if a is None:
                    return None
                t = torch.from_numpy(a[:1] if a.shape[0] == 1 else a[i : i + cnt])
                return t.expand(cnt, *tail)[None]

            low, sc = self._decode(feats, sl(p.boxes, (4,)), sl(p.points, p.points.shape[1:] if p.points is not None else ()),
                                   sl(p.labels, p.labels.shape[1:] if p.labels is not None else ()),
                                   None if p.masks is None else torch.from_numpy(p.masks[0 if p.masks.shape[0] == 1 else i])[None],
                                   multimask)
            lows.append(low)
            scores.append(sc)
        low, sc = torch.cat(lows), torch.cat(scores)
        order = sc.argsort(dim=1, descending=True)
        sc = sc.gather(1, order)
        low = low.gather(1, order[:, :, None, None].expand_as(low))
        masks = np.stack([self.upsample(low[i], embedding).numpy() > 0 for i in range(low.shape[0])])
        return SegmentResult(masks, sc.numpy(), low.numpy(), time.perf_counter() - t0)

    def upsample(self, low: torch.Tensor, embedding: ImageEmbedding) -> torch.Tensor:
        """(..., s, s) logits -> (..., H, W): upsample to pad size, crop the image area, resize to original."""
        lead = low.shape[:-2]
        x = low.reshape(-1, 1, *low.shape[-2:]).float()
        x = F.interpolate(x, (self.pad_size, self.pad_size), mode="bilinear", align_corners=False)
        x = x[..., : embedding.input_size[0], : embedding.input_size[1]]
        x = F.interpolate(x, tuple(embedding.original_size), mode="bilinear", align_corners=False)
        return x.view(*lead, *x.shape[-2:])

    def propose(self, image: ImageInput, points_per_side: int = 16, **kwargs) -> list[Proposal]:
        img = load_image(image)
        emb = self.embed(img)
        kwargs.setdefault("pixels", img.pixels)

        def decode(pts):
            return self._decode(emb.features, points=pts[None], labels=torch.ones(1, *pts.shape[:2], dtype=torch.long))

        return generate_proposals(decode, lambda low: self.upsample(low, emb), emb.original_size, emb.input_size,
                                  self.pad_size, points_per_side, **kwargs)
