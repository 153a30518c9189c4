"""SAM's two-way transformer (tokens <-> image), with parameter names of the original segment-anything layout.

Shapes: queries (B, N, T, C) prompt/output tokens; keys (B, N or 1, L, C) image tokens (L = 64*64).
Image-side tensors may have N = 1 and broadcast over the N prompts, so work that does not depend on the
prompt (e.g. projecting the image tokens in the first layer) is done once per image, not once per prompt.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn


class Attention(nn.Module):
    """Multi-head attention with an optional reduced internal width (embedding_dim // downsample_rate)."""

    def __init__(self, embedding_dim: int, num_heads: int, downsample_rate: int = 1):
        super().__init__()
        self.internal_dim = embedding_dim // downsample_rate
        self.num_heads = num_heads
        if self.internal_dim % num_heads:
            raise ValueError("num_heads must divide embedding_dim // downsample_rate")
        self.q_proj = nn.Linear(embedding_dim, self.internal_dim)
        self.k_proj = nn.Linear(embedding_dim, self.internal_dim)
        self.v_proj = nn.Linear(embedding_dim, self.internal_dim)
        self.out_proj = nn.Linear(self.internal_dim, embedding_dim)

    def _heads(self, x: Tensor) -> Tensor:
        *lead, n, c = x.shape
        return x.reshape(*lead, n, self.num_heads, c // self.num_heads).transpose(-2, -3)

    def forward(self, q: Tensor, k: Tensor, v: Tensor) -> Tensor:
        q, k, v = self._heads(self.q_proj(q)), self._heads(self.k_proj(k)), self._heads(self.v_proj(v))
        attn = (q @ k.transpose(-1, -2)) * (q.shape[-1] ** -0.5)
        out = attn.softmax(dim=-1) @ v  # (..., heads, Lq, d)
        out = out.transpose(-2, -3)
        return self.out_proj(out.reshape(*out.shape[:-2], self.internal_dim))


class MLPBlock(nn.Module):
    def __init__(self, embedding_dim: int, mlp_dim: int):
        super().__init__()
        self.lin1 = nn.Linear(embedding_dim, mlp_dim)
        self.lin2 = nn.Linear(mlp_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        return self.lin2(torch.relu(self.lin1(x)))


class TwoWayAttentionBlock(nn.Module):
    """Self-attention of tokens, tokens->image cross-attention, MLP, image->tokens cross-attention."""

    def __init__(self, dim: int, num_heads: int, mlp_dim: int, downsample: int = 2, skip_first_layer_pe: bool = False):
        super().__init__()
        self.self_attn = Attention(dim, num_heads)
        self.norm1 = nn.LayerNorm(dim)
        self.cross_attn_token_to_image = Attention(dim, num_heads, downsample)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = MLPBlock(dim, mlp_dim)
        self.norm3 = nn.LayerNorm(dim)
        self.norm4 = nn.LayerNorm(dim)
        self.cross_attn_image_to_token = Attention(dim, num_heads, downsample)
        self.skip_first_layer_pe = skip_first_layer_pe

    def forward(self, queries: Tensor, keys: Tensor, query_pe: Tensor, key_pe: Tensor) -> tuple[Tensor, Tensor]:
        if self.skip_first_layer_pe:
            queries = self.self_attn(queries, queries, queries)
        else:
            q = queries + query_pe
            queries = queries + self.self_attn(q, q, queries)
        queries = self.norm1(queries)
        k = keys + key_pe
        queries = self.norm2(queries + self.cross_attn_token_to_image(queries + query_pe, k, keys))
        queries = self.norm3(queries + self.mlp(queries))
        keys = self.norm4(keys + self.cross_attn_image_to_token(k, queries + query_pe, queries))
        return queries, keys


class TwoWayTransformer(nn.Module):
    def __init__(self, depth: int = 2, embedding_dim: int = 256, num_heads: int = 8, mlp_dim: int = 2048):
        super().__init__()
        self.layers = nn.ModuleList(
            TwoWayAttentionBlock(embedding_dim, num_heads, mlp_dim, 2, skip_first_layer_pe=(i == 0)) for i in range(depth)
        )
        self.final_attn_token_to_image = Attention(embedding_dim, num_heads, 2)
        self.norm_final_attn = nn.LayerNorm(embedding_dim)

    def forward(self, image: Tensor, image_pe: Tensor, tokens: Tensor) -> tuple[Tensor, Tensor]:
        """image (B, N|1, C, H, W) or (B, N|1, L, C); image_pe (1, C, H, W); tokens (B, N, T, C).

        Returns (tokens (B, N, T, C), image tokens (B, N, L, C)).
        """
        if image.ndim == 5:
            image = image.flatten(3).transpose(-1, -2)
        key_pe = image_pe.flatten(2).transpose(1, 2)[None]  # (1, 1, L, C)
        queries, keys = tokens, image
        for layer in self.layers:
            queries, keys = layer(queries, keys, tokens, key_pe)
        attn = self.final_attn_token_to_image(queries + tokens, keys + key_pe, keys)
        return self.norm_final_attn(queries + attn), keys
