"""The mask path: region alignment, the [SEG] MLP and the SAM prompt decoder (MASK_PATH), apart from the LLM.

`MaskPathMixin` holds the mask path's computation for any module with `align`, `seg_head`, `decoder` and
`pointer` (a miras.pointing.SegPointer, or None when the config has no point head):
`prompts(seg (N, H), spans N x (L_i, H)) -> (N, 1, D)`, `point_logits` (where each prompt points on its image's
embedding grid), `decode_masks` (N prompts on one image) and `decode_batch` (one prompt per image). With a point
head (fed the raw [SEG] states, so training it alone leaves the decoder's prompts as they were), `seg_cells`
picks a grid cell per [SEG] and the decoder gets it as a positive point prompt beside the [SEG] token (in training,
a cell inside the target instead: teacher forcing). `MirasModel` uses it; `MaskPath` is the same modules without
the LLM, vision or SAM encoder, for training on cached [SEG] features where the LLM cannot travel
(miras.device_train). Its parameter names (`align.*`, `seg_head.*`, `decoder.*`, `pointer.*`) are the ones a MIRAS
checkpoint stores, so weights move either way.
"""
from __future__ import annotations

import torch
from torch import nn

from miras.alignment import RegionAlignment, SegPromptHead
from miras.config import MirasConfig
from miras.pointing import SegPointer, best_cells, cells_to_points

MASK_PATH = ("align", "seg_head", "decoder", "pointer")


def mask_path_modules(model: nn.Module) -> dict[str, nn.Module]:
    """The mask path's modules of `model` by name (the point head only when it has one)."""
    return {name: getattr(model, name) for name in MASK_PATH if getattr(model, name, None) is not None}


class MaskPathMixin:
    align: nn.Module
    seg_head: nn.Module
    decoder: nn.Module
    pointer: nn.Module | None

    def mask_path_parameters(self) -> list[nn.Parameter]:
        """The parameters of region alignment, the [SEG] MLP, the prompt decoder and the point head (what the mask
        stage trains)."""
        return [p for module in mask_path_modules(self).values() for p in module.parameters()]

    def reset_decoder(self) -> None:
        """Put the prompt decoder back to its initial weights (the real SAM decoder when cfg.seg.decoder_weights
        names one): the joint stage's few hundred steps on tiny masks can ruin what SAM learned about points."""
        from miras.encoders import build_prompt_decoder

        self.decoder.load_state_dict(build_prompt_decoder(self.cfg.seg).state_dict())

    def add_pointer(self) -> None:
        """Give the mask path an untrained point head (miras.pointing), initialised from cfg.seed as build_miras
        seeds every random part, and record it in the config."""
        self.cfg.seg.point_prompt = True
        with torch.random.fork_rng():
            torch.manual_seed(self.cfg.seed + 2)
            self.pointer = SegPointer(self.seg_head.mlp[0].in_features, self.cfg.seg.embed_dim).to(self.device)

    def prompts(self, seg: torch.Tensor, spans: list[torch.Tensor]) -> torch.Tensor:
        """seg (N, H) [SEG] states + their spans -> (N, 1, D) sparse prompts (alignment, then the [SEG] MLP)."""
        return self.seg_head(self.align(seg, spans))

    def point_logits(self, sam_embs: torch.Tensor, seg: torch.Tensor, spans: list[torch.Tensor]) -> torch.Tensor:
        """sam_embs (N or 1, D, e, e), seg (N, H) [SEG] states, their spans -> (N, e, e) pointing logits (needs a
        point head)."""
        sam = sam_embs.expand(seg.shape[0], -1, -1, -1)
        return self.pointer(seg, spans, sam, self.decoder.prompt_encoder.dense_pe())

    @torch.no_grad()
    def seg_cells(self, sam_embs: torch.Tensor, seg: torch.Tensor, spans: list[torch.Tensor]) -> torch.Tensor | None:
        """The (N, 2) grid cells the point head picks for these [SEG] states, or None without a point head."""
        if self.pointer is None:
            return None
        return best_cells(self.point_logits(sam_embs, seg, spans))

    def _point_kw(self, cells: torch.Tensor | None, grid: int, shape) -> dict:
        if cells is None:
            return {}
        points = cells_to_points(cells, grid, self.decoder.input_image_size).to(self.device)
        return {"points": points.reshape(*shape, 1, 2)}

    def decode_masks(self, sam_emb: torch.Tensor, prompts: torch.Tensor, cells: torch.Tensor | None = None,
                     best_of_three: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """sam_emb (1, D, e, e), prompts (N, 1, D), cells (N, 2) grid cells given to SAM as positive point prompts
        (None: the [SEG] tokens alone) -> low-res logits (N, L, L), iou scores (N,). best_of_three: SAM's three
        candidate masks, keeping each prompt's best-scored one (SAM's own answer to a one-point prompt's
        ambiguity; not differentiable through the choice, so for inference)."""
        kw = self._point_kw(cells, sam_emb.shape[-1], (1, prompts.shape[0]))
        low, iou = self.decoder(sam_emb, sparse_embeddings=prompts[None], multimask=best_of_three, **kw)
        return pick_best(low[0], iou[0])

    def decode_batch(self, sam_embs: torch.Tensor, prompts: torch.Tensor, cells: torch.Tensor | None = None,
                     best_of_three: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """sam_embs (B, D, e, e), prompts (B, 1, D), cells (B, 2) or None: one prompt per image -> logits (B, L, L),
        iou scores (B,). The same decoder computation as `decode_masks`, batched over images."""
        kw = self._point_kw(cells, sam_embs.shape[-1], (prompts.shape[0], 1))
        low, iou = self.decoder(sam_embs, sparse_embeddings=prompts[:, None], multimask=best_of_three, **kw)
        return pick_best(low[:, 0], iou[:, 0])


def pick_best(low: torch.Tensor, iou: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """low (N, K, L, L) candidate logits, iou (N, K) their predicted IoU -> the best-scored candidate of each prompt:
    (N, L, L), (N,)."""
    best = iou.argmax(dim=1)
    rows = torch.arange(low.shape[0], device=low.device)
    return low[rows, best], iou[rows, best]


class MaskPath(MaskPathMixin, nn.Module):
    """align + seg_head + decoder (+ pointer) for an LLM of hidden size `hidden`, built from their state dicts
    (`mask_path_state(model)`: parameters and buffers, e.g. the decoder's positional-encoding matrix)."""

    def __init__(self, cfg: MirasConfig, hidden: int, state: dict[str, torch.Tensor]):
        super().__init__()
        from tools.segmenters.sam_decoder import load_sam_prompt_decoder, tiny_sam_prompt_decoder

        self.cfg = cfg
        decoder_state = {k[len("decoder."):]: v for k, v in state.items() if k.startswith("decoder.")}
        if cfg.seg.decoder_weights:  # the real SAM layout: sizes read from the weights
            self.decoder = load_sam_prompt_decoder(decoder_state, image_embedding_size=cfg.seg.embedding_size,
                                                   input_image_size=cfg.seg.image_size)
        else:
            self.decoder = tiny_sam_prompt_decoder(cfg.seg.embed_dim, cfg.seg.embedding_size)
        self.align = RegionAlignment(hidden, cfg.align_heads)
        self.seg_head = SegPromptHead(hidden, cfg.seg.embed_dim)
        self.pointer = SegPointer(hidden, cfg.seg.embed_dim) if cfg.seg.point_prompt else None
        self.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)

    @property
    def device(self) -> torch.device:
        return self.seg_head.mlp[0].weight.device


def mask_path_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """The mask path's state dict (parameters and buffers) under MIRAS checkpoint names, on the CPU."""
    return {f"{name}.{k}": v.detach().cpu().contiguous() for name, module in mask_path_modules(model).items()
            for k, v in module.state_dict().items()}
