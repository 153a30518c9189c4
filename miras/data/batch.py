"""From samples (or one live image) to model inputs.

`Featurizer(model, cache)` turns an image into `ImageInputs` (SAM embedding via the cache, CLIP / ConvNeXt pixels
as the config needs, sizes) and a reference mask into the decoder's low-res target (L, L).
`Featurizer.batch(samples)` -> `Batch` for MirasModel.forward. `sam_embedding(image, sha256)` alone is what the mask
stage needs (it keeps each image's sha256 and reads the pixels only on a cache miss).
"""
from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import torch

from tools.segmenters.sam_frame import frame_size, mask_to_lowres, sam_frame

from miras.data.embed_cache import SamEmbeddingCache
from miras.data.encode import encode_dialogue
from miras.data.samples import Sample
from miras.seg_frame import square_pixels


@dataclass
class ImageInputs:
    """sam: (1, D, e, e); vision: {"clip"/"aux": (1, 3, s, s)} (may be empty); sizes in pixels (H, W)."""

    sam: torch.Tensor
    vision: dict[str, torch.Tensor]
    original_size: tuple[int, int]
    input_size: tuple[int, int]


@dataclass
class Batch:
    input_ids: list[torch.Tensor]
    labels: list[torch.Tensor]
    image_index: list[int]
    vision: dict[str, torch.Tensor]
    sam: torch.Tensor | None
    gt_masks: list[torch.Tensor | None]
    ids: list[str]


class Featurizer:
    def __init__(self, model, cache: SamEmbeddingCache | None = None, memory_images: int = 256):
        self.model = model
        self.cfg = model.cfg
        self.cache = cache or SamEmbeddingCache(None, "none")
        self.low = model.decoder.low_res_size
        self._images: OrderedDict[str, tuple[np.ndarray, str]] = OrderedDict()
        self.memory_images = memory_images

    def _pixels(self, image) -> tuple[np.ndarray, str]:
        from tools.images import load_image

        key = str(image) if isinstance(image, (str, os.PathLike)) else None
        if key is not None and key in self._images:
            return self._images[key]
        loaded = load_image(image)
        out = (loaded.pixels, loaded.sha256)
        if key is not None:
            self._images[key] = out
            while len(self._images) > self.memory_images:
                self._images.popitem(last=False)
        return out

    def image_sha(self, image) -> str:
        """The sha256 of the image's pixels: its key in the SAM embedding cache."""
        return self._pixels(image)[1]

    def sam_embedding(self, image, sha256: str | None = None) -> torch.Tensor:
        """(1, D, e, e) SAM embedding through the cache; with its sha256 known, the image is read only on a miss."""

        def compute():
            frame, _ = sam_frame(self._pixels(image)[0], self.cfg.seg.image_size)
            return self.model.encode_sam(frame)

        return self.cache.get(sha256 or self.image_sha(image), compute)

    def image(self, image) -> ImageInputs:
        pixels, sha = self._pixels(image)
        side = self.cfg.seg.image_size
        sam = self.sam_embedding(image, sha)
        vis = {}
        needs = self.model.vision.needs
        v = self.cfg.vision
        if "clip" in needs:
            vis["clip"] = square_pixels(pixels, self.model.vision.clip.config.image_size, v.mean, v.std)
        if "aux" in needs:
            vis["aux"] = square_pixels(pixels, v.aux_image_size, v.mean, v.std)
        if "sam" in needs:
            vis["sam"] = sam
        h, w = pixels.shape[:2]
        return ImageInputs(sam, vis, (h, w), frame_size(h, w, side))

    def target(self, mask: np.ndarray, inputs: ImageInputs) -> torch.Tensor:
        if mask.shape != inputs.original_size:
            raise ValueError(f"mask {mask.shape} does not match image {inputs.original_size}")
        return mask_to_lowres(mask, inputs.input_size, self.cfg.seg.image_size, self.low)

    def batch(self, samples: list[Sample]) -> Batch:
        ids, labels, gts, vis_rows, sams = [], [], [], [], []
        max_len = self.cfg.train.max_len
        for s in samples:
            inp = self.image(s.image)
            i, lab = encode_dialogue(self.model.tokenizer, [(h, r) for h, r, _ in s.turns], True, max_len)
            n_seg = int((i == self.model.ids.seg).sum())
            masks = [self.target(m.load(), inp) for _, _, m in s.turns if m is not None][:n_seg]
            ids.append(i)
            labels.append(lab)
            gts.append(torch.stack(masks) if masks else None)
            vis_rows.append(inp.vision)
            sams.append(inp.sam)
        vision = {k: torch.cat([row[k] for row in vis_rows]) for k in vis_rows[0]} if vis_rows else {}
        return Batch(ids, labels, list(range(len(samples))), vision, torch.cat(sams), gts, [s.id for s in samples])
