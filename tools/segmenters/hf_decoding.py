"""`HfPromptDecoding`: prompt decoding shared by the transformers SamModel / Sam2Model backends.

A subclass sets `model`, `prompts_per_batch` and `low_res` (the mask-prompt side L) and writes `_encode` (see
CachedEmbedder), `_features(embedding)` (check and return the features), `upsample(low (..., L, L), embedding)`
-> (..., H, W) logits, and `frame_side` (the side of the square frame the low-res logits cover).
Prompts come in original image pixels; masks come back at original size, candidates best first.
"""
from __future__ import annotations

import time

import torch

from tools.images import ImageInput, load_image
from tools.segmenters.base import ImageEmbedding, Proposal, SegmentResult, ranked_result
from tools.segmenters.embedding_cache import CachedEmbedder
from tools.segmenters.prompts import normalise_prompts
from tools.segmenters.propose import box_centres, generate_proposals, stop_if_asked


class HfPromptDecoding(CachedEmbedder):
    """segment / propose over `model(image_embeddings=..., input_boxes=..., ...)` (transformers SAM and SAM 2)."""

    model: torch.nn.Module
    prompts_per_batch: int
    low_res: int
    frame_side: int

    def _features(self, embedding: ImageEmbedding):
        raise NotImplementedError

    def upsample(self, low: torch.Tensor, embedding: ImageEmbedding) -> torch.Tensor:
        raise NotImplementedError

    @torch.inference_mode()
    def _decode(self, feats, boxes=None, points=None, labels=None, masks=None, multimask=True):
        """Prompts (1, n, ...) in the input frame -> (low-res logits (n, K, L, L), scores (n, K))."""
        out = self.model(image_embeddings=feats, input_boxes=boxes, input_points=points, input_labels=labels,
                         input_masks=masks, multimask_output=multimask)
        return out.pred_masks[0], out.iou_scores[0]

    def segment(self, embedding: ImageEmbedding, boxes=None, points=None, point_labels=None, mask_prompts=None,
                multimask: bool = True) -> SegmentResult:
        feats = self._features(embedding)
        p = normalise_prompts(boxes, points, point_labels, mask_prompts, self.low_res)
        p = p.scaled(embedding.original_size, embedding.input_size)
        self._threads()
        t0 = time.perf_counter()
        # transformers' models take one dense mask prompt per image: decode mask prompts one by one.
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
            low, sc = self._decode(feats, sl(p.boxes), sl(p.points), sl(p.labels), m, multimask)
            lows.append(low)
            scores.append(sc)
        return ranked_result(torch.cat(lows), torch.cat(scores), lambda x: self.upsample(x, embedding), t0)

    def propose(self, image: ImageInput, points_per_side: int = 16, seed_boxes=None, **kwargs) -> list[Proposal]:
        """'Everything' mode (see tools.segmenters.propose); proposals sorted by predicted IoU. seed_boxes (M, 4)
        original pixels are prompted first, one mask each."""
        img = load_image(image)
        emb = self.embed(img)
        kwargs.setdefault("pixels", img.pixels)

        def decode(pts):
            return self._decode(emb.features, points=pts[None], labels=torch.ones(1, *pts.shape[:2], dtype=torch.long))

        if seed_boxes is not None and len(seed_boxes):
            stop_if_asked(kwargs.get("stop"))
            boxes = normalise_prompts(boxes=seed_boxes, mask_size=self.low_res)
            inside = boxes.scaled(emb.original_size, emb.input_size).boxes
            low, iou = self._decode(emb.features, boxes=torch.from_numpy(inside)[None], multimask=False)
            kwargs["seeds"] = (low.cpu(), iou.cpu(), box_centres(boxes.boxes))

        return generate_proposals(decode, lambda low: self.upsample(low, emb), emb.original_size, emb.input_size,
                                  self.frame_side, points_per_side, **kwargs)
