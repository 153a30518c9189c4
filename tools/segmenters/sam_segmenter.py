"""`SamFamilySegmenter`: any image encoder giving (1, C, 64, 64) + a `SamPromptDecoder`, behind the Segmenter
protocol; `MobileSamSegmenter` is it with the embedded MobileSAM weights (TinyViT encoder), run by ONNX Runtime
on CPU by default and by torch on a GPU or when asked (tools.segmenters.runtime).

Prompts come in original image pixels (see tools.segmenters.prompts) and are converted to the 1024-px input
frame; pass coords="input" when they are already in that frame. Masks come back at original size.
"""
from __future__ import annotations

import contextlib
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from tools.images import ImageInput, load_image
from tools.segmenters.base import ImageEmbedding, Proposal, SegmentResult, ranked_result
from tools.segmenters.embedding_cache import CachedEmbedder, EMBEDDING_CACHE, EmbeddingCache
from tools.segmenters.mobile_sam import load_mobile_sam
from tools.segmenters.onnx_decoder import pack_prompts
from tools.segmenters.prompts import PromptError, Prompts, normalise_prompts
from tools.segmenters.propose import box_centres, generate_proposals, stop_if_asked
from tools.segmenters.sam_decoder import SamPromptDecoder
from tools.segmenters.sam_frame import lowres_to_original, sam_frame


# Prompts per decoder call on a CPU: with the decoder's memory arena (tools.segmenters.ort_sam) 16 a call is no
# faster than 4 (1.32 s a photo either way in benchmarks/bench_proposals.py) but holds about four times the buffers
# while a pass runs (8 a call: 451 MB peak against 253 MB for 4); without the arena 4 a call was ~13% faster, for
# the fresh pages each call faults in (docs/speed.md). A GPU takes CUDA_PROMPTS_PER_BATCH.
CPU_PROMPTS_PER_BATCH = 4
CUDA_PROMPTS_PER_BATCH = 16


class SamFamilySegmenter(CachedEmbedder):
    """Segmenter over (image encoder, SamPromptDecoder). `cache_key` separates cache entries of models.

    With `ort` (a tools.segmenters.ort_sam.OrtSam of the same weights) encoder and decoder run on ONNX Runtime,
    else on torch on `device`; features stay on that device, decoder outputs come back to the CPU.
    prompts_per_batch: prompts per decoder call (None: CPU_PROMPTS_PER_BATCH on a CPU, else CUDA_PROMPTS_PER_BATCH).
    """

    def __init__(self, encoder: nn.Module, decoder: SamPromptDecoder, name: str, cache_key: str | None = None,
                 num_threads: int | None = None, prompts_per_batch: int | None = None,
                 cache: EmbeddingCache | None = None, device: str | torch.device = "cpu", ort=None):
        self.device = torch.device(device)
        if prompts_per_batch is None:
            on_cpu = ort is not None or self.device.type == "cpu"
            prompts_per_batch = CPU_PROMPTS_PER_BATCH if on_cpu else CUDA_PROMPTS_PER_BATCH
        self.encoder = encoder.eval().to(self.device)
        self.decoder = decoder.eval().to(self.device)
        self.ort = ort
        self.runtime = "torch" if ort is None else "onnx"
        self.name = name
        self.cache_key = cache_key or name
        self.num_threads = num_threads
        self.prompts_per_batch = prompts_per_batch
        self.cache = cache if cache is not None else EMBEDDING_CACHE
        self.image_size = decoder.input_image_size

    def _encode(self, img) -> ImageEmbedding:
        x, input_size = sam_frame(img.pixels, self.image_size)
        if self.ort is not None:
            feats = self.ort.encode(x)
        else:
            with torch.inference_mode():
                feats = self.encoder(x.to(self.device))
        return ImageEmbedding(feats, (img.height, img.width), input_size, img.sha256,
                              extra={"backend": self.name, "runtime": self.runtime})

    def _check(self, embedding: ImageEmbedding) -> torch.Tensor:
        feats = embedding.features
        if not isinstance(feats, torch.Tensor) or feats.ndim != 4 or feats.shape[1] != self.decoder.embed_dim:
            raise PromptError(f"embedding is not from a {self.name} segmenter (features {getattr(feats, 'shape', None)})")
        return feats

    @torch.inference_mode()
    def decode_low_res(self, feats: torch.Tensor, prompts: Prompts, multimask: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """Prompts in the input frame -> (low-res logits (N, K, 256, 256), scores (N, K)) on the CPU, in batches
        of `prompts_per_batch` prompts (one decoder call each)."""
        step = self.prompts_per_batch
        parts = [self._decode_batch(feats, prompts.take(i, i + step), multimask, keep=i + step < prompts.n)
                 for i in range(0, prompts.n, step)]
        return torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])

    def decoder_pass(self) -> contextlib.AbstractContextManager:
        """Many decoder calls in a row: on ONNX Runtime they reuse one set of buffers, given back when the pass
        ends (tools.segmenters.ort_sam.OrtSam.decoder_pass); torch needs nothing."""
        return self.ort.decoder_pass() if self.ort is not None else contextlib.nullcontext()

    @torch.inference_mode()
    def _decode_batch(self, feats: torch.Tensor, prompts: Prompts, multimask: bool,
                      keep: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """One decoder call for all `prompts` -> (logits (N, K, L, L), scores (N, K)) on the CPU; keep: another
        call follows at once (see decoder_pass)."""
        if self.ort is not None:
            low, iou = self.ort.decode(feats, pack_prompts(prompts, self.decoder.low_res_size), keep=keep)
            outputs = slice(1, None) if multimask else slice(0, 1)
            return low[:, outputs], iou[:, outputs]
        cnt = prompts.n

        def part(a):
            return None if a is None else torch.from_numpy(a)[None].to(self.device)

        boxes, points, labels, masks = (part(a) for a in (prompts.boxes, prompts.points, prompts.labels, prompts.masks))
        if boxes is not None:
            boxes = boxes.expand(1, cnt, 4)
        if points is not None:
            points, labels = points.expand(1, cnt, -1, 2), labels.expand(1, cnt, -1)
        if masks is not None:
            masks = masks.expand(1, cnt, -1, -1, -1)
        low, iou = self.decoder(feats, boxes=boxes, points=points, point_labels=labels, mask_inputs=masks, multimask=multimask)
        return low[0].cpu(), iou[0].cpu()

    def segment(self, embedding: ImageEmbedding, boxes=None, points=None, point_labels=None, mask_prompts=None,
                multimask: bool = True, coords: str = "original") -> SegmentResult:
        """Masks for N prompts at original size; candidates sorted best first. See the module docstring."""
        feats = self._check(embedding)
        prompts = normalise_prompts(boxes, points, point_labels, mask_prompts, self.decoder.low_res_size)
        if coords == "original":
            prompts = prompts.scaled(embedding.original_size, embedding.input_size)
        elif coords != "input":
            raise PromptError(f"coords must be 'original' or 'input', got {coords!r}")
        self._threads()
        t0 = time.perf_counter()
        low, scores = self.decode_low_res(feats, prompts, multimask)
        return ranked_result(low, scores, lambda x: self._upsample(x, embedding), t0)

    def _upsample(self, low: torch.Tensor, embedding: ImageEmbedding) -> torch.Tensor:
        with torch.inference_mode():
            return lowres_to_original(low, embedding.input_size, self.image_size, embedding.original_size)

    def propose(self, image: ImageInput, points_per_side: int = 16, seed_boxes=None, **kwargs) -> list[Proposal]:
        """'Everything' mode (see tools.segmenters.propose); proposals sorted by predicted IoU.
        seed_boxes: (M, 4) [x0, y0, x1, y1] original pixels (detector boxes), prompted before the grid, one
        mask each. A `stop` keyword (tools.segmenters.propose.StopFn) ends the work between decoder calls."""
        img = load_image(image)
        emb = self.embed(img)
        feats = self._check(emb)
        self._threads()

        def decode(pts: torch.Tensor):
            labels = np.ones(pts.shape[:2], np.int64)
            return self.decode_low_res(feats, Prompts(None, pts.numpy(), labels, None, pts.shape[0]), True)

        with self.decoder_pass():
            if seed_boxes is not None and len(seed_boxes):
                stop_if_asked(kwargs.get("stop"))
                boxes = normalise_prompts(boxes=seed_boxes, mask_size=self.decoder.low_res_size)
                low, iou = self.decode_low_res(feats, boxes.scaled(emb.original_size, emb.input_size), False)
                kwargs["seeds"] = (low, iou, box_centres(boxes.boxes))
            kwargs.setdefault("pixels", img.pixels)
            return generate_proposals(decode, lambda low: self._upsample(low, emb), emb.original_size,
                                      emb.input_size, self.image_size, points_per_side, **kwargs)


class MobileSamSegmenter(SamFamilySegmenter):
    """The embedded default: MobileSAM (TinyViT-5M encoder + SAM decoder), CPU-friendly.

    runtime: "auto" (None; ONNX Runtime on CPU, torch on CUDA), "onnx" or "torch" (tools.segmenters.runtime);
    "auto" falls back to torch with one warning line when ONNX Runtime or the export fails.
    device: torch device for the torch runtime (default: "cuda" when available, else "cpu").
    The cache key is the resolved checkpoint path and the runtime, so the embedded file named by path or by default
    shares one cache entry per image and runtime."""

    def __init__(self, path: str | Path | None = None, num_threads: int | None = None, runtime: str | None = None,
                 device: str | None = None, **kwargs):
        from tools.segmenters.runtime import load_onnx, resolve_runtime

        if path is None:
            from tools.weights import weight_path

            path = weight_path("mobile_sam")
        asked = str(runtime or "auto").strip().lower()
        if device is None:
            device = "cuda" if torch.cuda.is_available() and asked != "onnx" else "cpu"
        chosen = resolve_runtime(asked, device)
        encoder, decoder = load_mobile_sam(path)
        ort = load_onnx(encoder, decoder, path, num_threads, required=asked == "onnx") if chosen == "onnx" else None
        key = f"mobile_sam:{Path(path).resolve()}:{'torch' if ort is None else 'onnx'}"
        super().__init__(encoder, decoder, "mobile_sam", cache_key=key, num_threads=num_threads, device=device,
                         ort=ort, **kwargs)
