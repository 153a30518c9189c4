"""The [SEG] point head: where on the SAM embedding grid a [SEG] points, fed to SAM as a point prompt.

Not in the paper. There the [SEG] prompt token alone tells SAM's decoder what to segment, and the decoder must learn
to find the object from it; on a CPU budget of a few hundred steps it does not (README, MIRAS). The point head
scores every cell of the SAM image embedding against the [SEG] state and its `[OBJ] name [SEG]` span, one dot
product per cell:

    logits[n, y, x] = (<content(s_n), LN(emb[:, y, x])> + <position(s_n), PE[:, y, x]>) / sqrt(D)

(s_n the n-th [SEG] state (H,) joined with its span's mean (H,), content / position the two halves of one MLP's
output, LN a per-cell layer norm of the (D, e, e) embedding, PE the decoder's own (D, e, e) grid positional
encoding, so position words have a path too). It trains on its own loss (`pointing_loss`: minus the log of the
softmax mass on the target mask pooled to the grid), at a cost of a few dot products per mask, so thousands of
steps fit where decoder steps do not. At inference the best cell becomes a positive point prompt beside
the [SEG] token; SAM's decoder, trained for points, turns a point inside an object into its mask.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class SegPointer(nn.Module):
    """[SEG] states (N, H), their spans N x (L_i, H), SAM embeddings (N, D, e, e), grid PE (1, D, e, e) -> pointing
    logits (N, e, e). An MLP turns [state, span mean] into a content query and a position query (D each)."""

    def __init__(self, hidden: int, dim: int):
        super().__init__()
        self.dim = dim
        self.query = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, 2 * dim))

    def forward(self, seg: torch.Tensor, spans: list[torch.Tensor], sam: torch.Tensor, pe: torch.Tensor
                ) -> torch.Tensor:
        d = self.dim
        span_mean = torch.stack([s.mean(0) for s in spans]) if spans else seg
        content_q, position_q = self.query(torch.cat([seg, span_mean.to(seg.dtype)], dim=1)).split(d, dim=1)
        cells = F.layer_norm(sam.permute(0, 2, 3, 1), (d,))  # (N, e, e, D)
        content = torch.einsum("nd,nhwd->nhw", content_q, cells.to(content_q.dtype))
        position = torch.einsum("nd,dhw->nhw", position_q, pe[0].to(position_q.dtype))
        return (content + position) / math.sqrt(d)


def pooled_targets(targets: torch.Tensor, grid: int) -> torch.Tensor:
    """targets (N, L, L) in [0, 1] -> (N, grid, grid) coverage of each cell."""
    return F.adaptive_avg_pool2d(targets.float()[:, None], grid)[:, 0]


def pointing_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """logits (N, e, e), targets (N, L, L) -> mean over non-empty targets of -log sum_c cover_c p_c: p the softmax
    over cells, cover the target's coverage of each cell. Any peak on a fully covered cell is optimal (a point needs
    to land inside the object, not to spread over it); 0 when every target is empty."""
    cover = pooled_targets(targets, logits.shape[-1]).flatten(1)
    keep = cover.sum(1) > 0
    if not keep.any():
        return logits.sum() * 0.0
    logp = torch.log_softmax(logits.flatten(1).float(), dim=1)[keep]
    return -torch.logsumexp(logp + torch.log(cover[keep].clamp_min(1e-12)), dim=1).mean()


def best_cells(logits: torch.Tensor) -> torch.Tensor:
    """logits (N, e, e) -> (N, 2) the (x, y) cell of each map's maximum."""
    e = logits.shape[-1]
    flat = logits.flatten(1).argmax(1)
    return torch.stack([flat % e, flat // e], dim=1)


def interior_cells(targets: torch.Tensor, grid: int) -> torch.Tensor:
    """targets (N, L, L) -> (N, 2) (x, y) cell deepest inside each mask: the maximum of its grid coverage smoothed
    over 5 x 5 cells (the cell centre for an empty target)."""
    cover = pooled_targets(targets, grid)
    deep = F.avg_pool2d(cover[:, None], 5, stride=1, padding=2, count_include_pad=True)[:, 0]
    cells = best_cells(deep + 1e-3 * cover)
    empty = cover.flatten(1).sum(1) == 0
    cells[empty] = grid // 2
    return cells


def cells_to_points(cells: torch.Tensor, grid: int, image_size: int) -> torch.Tensor:
    """(N, 2) grid cells -> (N, 2) pixel (x, y) of their centres in SAM's square input frame."""
    return (cells.float() + 0.5) * (image_size / grid) - 0.5


def pointing_hit_rate(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """logits (N, e, e), targets (N, L, L) -> (N,) 1.0 where the best cell is at least half covered by the target."""
    cover = pooled_targets(targets, logits.shape[-1])
    cells = best_cells(logits)
    idx = torch.arange(len(cells))
    return (cover[idx, cells[:, 1], cells[:, 0]] >= 0.5).float()
