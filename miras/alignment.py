"""Semantic region alignment: the `[OBJ] name [SEG]` span is cross-attended into the [SEG] embedding.

`RegionAlignment(hidden, heads)(seg (N, H), spans list of N tensors (L_i, H)) -> (N, H)`.
A registered, trained and saved module (the reference code re-created it with random weights on every forward
pass, so it never learned). The [SEG] state is the query; the span's hidden states are keys and values; the
attended vector is added residually and normalised, then goes to the [SEG] MLP.
"""
from __future__ import annotations

import torch
from torch import nn


class RegionAlignment(nn.Module):
    def __init__(self, hidden: int, heads: int):
        super().__init__()
        while hidden % heads:
            heads -= 1
        self.norm_q = nn.LayerNorm(hidden)
        self.norm_kv = nn.LayerNorm(hidden)
        self.attn = nn.MultiheadAttention(hidden, heads, batch_first=True)
        self.norm_out = nn.LayerNorm(hidden)

    def forward(self, seg: torch.Tensor, spans: list[torch.Tensor]) -> torch.Tensor:
        if seg.shape[0] == 0:
            return seg
        length = max(s.shape[0] for s in spans)
        n, h = seg.shape
        kv = seg.new_zeros(n, length, h)
        pad = torch.ones(n, length, dtype=torch.bool, device=seg.device)
        for i, s in enumerate(spans):
            kv[i, : s.shape[0]] = s
            pad[i, : s.shape[0]] = False
        q = self.norm_q(seg)[:, None]
        kv = self.norm_kv(kv)
        out, _ = self.attn(q, kv, kv, key_padding_mask=pad, need_weights=False)
        return self.norm_out(seg + out[:, 0])


class SegPromptHead(nn.Module):
    """[SEG] MLP: (N, hidden) -> (N, 1, prompt_dim), the sparse prompt tokens of the SAM mask decoder."""

    def __init__(self, hidden: int, prompt_dim: int):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, prompt_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mlp(x)[:, None]
