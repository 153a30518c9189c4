"""Losses: text cross-entropy (shifted, IGNORE_INDEX masked) and mask BCE + Dice on low-res logits.

Total = ce_weight * CE + bce_weight * BCE + dice_weight * Dice (2.0 and 0.5 by default, as in the paper).
Mask losses are averaged over masks; logits and targets are (N, L, L), targets soft in [0, 1].
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from miras.tokens import IGNORE_INDEX


def text_ce(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """logits (B, L, V), labels (B, L): next-token cross-entropy over labelled positions."""
    shift_logits = logits[:, :-1].reshape(-1, logits.shape[-1]).float()
    shift_labels = labels[:, 1:].reshape(-1)
    if (shift_labels != IGNORE_INDEX).sum() == 0:
        return shift_logits.sum() * 0.0
    return F.cross_entropy(shift_logits, shift_labels, ignore_index=IGNORE_INDEX)


def mask_bce(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    if logits.shape[0] == 0:
        return logits.sum() * 0.0
    per = F.binary_cross_entropy_with_logits(logits.float(), target.float(), reduction="none")
    return per.flatten(1).mean(1).mean()


def mask_dice(logits: torch.Tensor, target: torch.Tensor, eps: float = 1.0) -> torch.Tensor:
    if logits.shape[0] == 0:
        return logits.sum() * 0.0
    p = logits.float().sigmoid().flatten(1)
    t = target.float().flatten(1)
    dice = 1 - (2 * (p * t).sum(1) + eps) / (p.sum(1) + t.sum(1) + eps)
    return dice.mean()
