"""The mask path: region alignment, the [SEG] MLP and the SAM prompt decoder (MASK_PATH), apart from the LLM.

`MaskPathMixin` holds the mask path's computation for any module with `align`, `seg_head` and `decoder`:
`prompts(seg (N, H), spans N x (L_i, H)) -> (N, 1, D)`, `decode_masks` (N prompts on one image) and `decode_batch`
(one prompt per image). `MirasModel` uses it; `MaskPath` is the same three modules without the LLM, vision or SAM
encoder, for training on cached [SEG] features where the LLM cannot travel (miras.device_train). Its parameter
names (`align.*`, `seg_head.*`, `decoder.*`) are the ones a MIRAS checkpoint stores, so weights move either way.
"""
from __future__ import annotations

import torch
from torch import nn

from miras.alignment import RegionAlignment, SegPromptHead
from miras.config import MirasConfig

MASK_PATH = ("align", "seg_head", "decoder")


class MaskPathMixin:
    align: nn.Module
    seg_head: nn.Module
    decoder: nn.Module

    def mask_path_parameters(self) -> list[nn.Parameter]:
        """The parameters of region alignment, the [SEG] MLP and the prompt decoder (what the mask stage trains)."""
        return [p for name in MASK_PATH for p in getattr(self, name).parameters()]

    def prompts(self, seg: torch.Tensor, spans: list[torch.Tensor]) -> torch.Tensor:
        """seg (N, H) [SEG] states + their spans -> (N, 1, D) sparse prompts (alignment, then the [SEG] MLP)."""
        return self.seg_head(self.align(seg, spans))

    def decode_masks(self, sam_emb: torch.Tensor, prompts: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """sam_emb (1, D, e, e), prompts (N, 1, D) -> low-res logits (N, L, L), iou scores (N,)."""
        low, iou = self.decoder(sam_emb, sparse_embeddings=prompts[None], multimask=False)
        return low[0, :, 0], iou[0, :, 0]

    def decode_batch(self, sam_embs: torch.Tensor, prompts: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """sam_embs (B, D, e, e), prompts (B, 1, D): one prompt per image -> logits (B, L, L), iou scores (B,).
        The same decoder computation as `decode_masks`, batched over images."""
        low, iou = self.decoder(sam_embs, sparse_embeddings=prompts[:, None], multimask=False)
        return low[:, 0, 0], iou[:, 0, 0]


class MaskPath(MaskPathMixin, nn.Module):
    """align + seg_head + decoder for an LLM of hidden size `hidden`, built from their state dicts
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
        self.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)

    @property
    def device(self) -> torch.device:
        return self.seg_head.mlp[0].weight.device


def mask_path_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """The mask path's state dict (parameters and buffers) under MIRAS checkpoint names, on the CPU."""
    return {f"{name}.{k}": v.detach().cpu().contiguous() for name in MASK_PATH
            for k, v in getattr(model, name).state_dict().items()}
