"""LLM-side vision: low-res tokens, Mini-Gemini style fusion with a high-res map, projector to the LLM width.

`VisionTokens(cfg, llm_hidden)(inputs)` with inputs a dict holding what the config needs:
    "clip": (B, 3, s, s) CLIP-normalised pixels        (vision.kind == "clip")
    "aux":  (B, 3, a, a) pixels for the ConvNeXt branch (vision.aux_kind == "convnext")
    "sam":  (B, D, e, e) SAM image embedding            (vision.kind == "sam_pooled" or aux_kind == "sam")
returns (B, T, llm_hidden) with T = grid * grid image tokens.

Fusion: each low-res token (a cell of the grid x grid map) is a query that cross-attends only to the
window x window high-res features inside its own cell (Mini-Gemini's patch info mining), residually.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from miras.config import ConfigError, VisionConfig
from miras.encoders import build_clip_tower, build_convnext


class WindowFusion(nn.Module):
    """(B, g*g, d) low-res queries + (B, C, h, w) high-res map -> (B, g*g, d)."""

    def __init__(self, dim: int, hr_dim: int, window: int, heads: int):
        super().__init__()
        self.window = window
        self.q_norm = nn.LayerNorm(dim)
        self.kv_proj = nn.Sequential(nn.Linear(hr_dim, dim), nn.LayerNorm(dim))
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)

    def forward(self, low: torch.Tensor, high: torch.Tensor) -> torch.Tensor:
        b, t, d = low.shape
        g = int(round(t ** 0.5))
        if g * g != t:
            raise ConfigError(f"low-res tokens must form a square grid, got {t}")
        m = self.window
        hr = F.adaptive_avg_pool2d(high, g * m)  # (B, C, g*m, g*m)
        c = hr.shape[1]
        hr = hr.reshape(b, c, g, m, g, m).permute(0, 2, 4, 3, 5, 1).reshape(b * g * g, m * m, c)
        kv = self.kv_proj(hr)
        q = self.q_norm(low).reshape(b * t, 1, d)
        out, _ = self.attn(q, kv, kv, need_weights=False)
        return low + out.reshape(b, t, d)


class VisionTokens(nn.Module):
    def __init__(self, cfg: VisionConfig, llm_hidden: int, sam_dim: int):
        super().__init__()
        self.cfg = cfg
        self.clip = build_clip_tower(cfg) if cfg.kind == "clip" else None
        if cfg.kind == "clip":
            low_dim = self.clip.config.hidden_size
        elif cfg.kind == "sam_pooled":
            low_dim = sam_dim
        else:
            raise ConfigError(f"unknown vision kind {cfg.kind!r}")
        self.aux = build_convnext(cfg) if cfg.aux_kind == "convnext" else None
        if cfg.aux_kind == "convnext":
            hr_dim = self.aux.config.hidden_sizes[-1]
        elif cfg.aux_kind == "sam":
            hr_dim = sam_dim
        elif cfg.aux_kind is None:
            hr_dim = 0
        else:
            raise ConfigError(f"unknown high-res branch {cfg.aux_kind!r}")
        self.fusion = WindowFusion(low_dim, hr_dim, cfg.window, cfg.fusion_heads) if hr_dim else None
        self.projector = nn.Sequential(nn.Linear(low_dim, llm_hidden), nn.GELU(), nn.Linear(llm_hidden, llm_hidden))

    @property
    def needs(self) -> set[str]:
        out = set()
        if self.cfg.kind == "clip":
            out.add("clip")
        if self.cfg.kind == "sam_pooled" or self.cfg.aux_kind == "sam":
            out.add("sam")
        if self.cfg.aux_kind == "convnext":
            out.add("aux")
        return out

    @property
    def num_tokens(self) -> int:
        if self.cfg.kind == "clip":
            side = self.clip.config.image_size // self.clip.config.patch_size
            return side * side
        return self.cfg.grid * self.cfg.grid

    def low_res(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        if self.clip is not None:
            with torch.no_grad():
                out = self.clip(pixel_values=inputs["clip"], output_hidden_states=True)
            return out.hidden_states[self.cfg.select_layer][:, 1:].float()
        sam = inputs["sam"].float()
        return F.adaptive_avg_pool2d(sam, self.cfg.grid).flatten(2).transpose(1, 2)

    def high_res(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor | None:
        if self.aux is not None:
            with torch.no_grad():
                return self.aux(pixel_values=inputs["aux"]).last_hidden_state.float()
        if self.cfg.aux_kind == "sam":
            return inputs["sam"].float()
        return None

    def forward(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        low = self.low_res(inputs)
        if self.fusion is not None:
            low = self.fusion(low, self.high_res(inputs))
        return self.projector(low)
