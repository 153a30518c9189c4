"""Teacher-forced mask quality on a list of samples (for training progress and tests).

`mask_iou_teacher_forced(model, featurizer, samples)` -> {"giou": mean per-mask IoU, "ciou": cumulative
intersection / cumulative union, "n": masks}: the reference reply is fed, the mask decoded from each [SEG]
is brought back to the original image size (threshold 0 on logits) and compared with the reference mask.
`lowres_iou(logits (N, L, L), targets (N, L, L))` -> per-mask IoU at the decoder's grid (cheap, for training logs).
"""
from __future__ import annotations

import numpy as np
import torch

from tools.segmenters.sam_frame import lowres_to_original


def lowres_iou(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    pred = logits > 0
    gt = targets > 0.5
    inter = (pred & gt).flatten(1).sum(1).float()
    union = (pred | gt).flatten(1).sum(1).float()
    return torch.where(union > 0, inter / union.clamp(min=1), torch.ones_like(inter))


@torch.no_grad()
def mask_iou_teacher_forced(model, featurizer, samples) -> dict[str, float]:
    was_training = model.training
    model.eval()
    ious, inter_sum, union_sum = [], 0, 0
    side = model.cfg.seg.image_size
    for s in samples:
        batch = featurizer.batch([s])
        out = model(batch)
        low = out["masks"][0]
        if low is None:
            continue
        inputs = featurizer.image(s.image)
        refs = [m.load() for _, _, m in s.turns if m is not None][: low.shape[0]]
        full = lowres_to_original(low.cpu(), inputs.input_size, side, inputs.original_size) > 0
        for pred, ref in zip(full.numpy(), refs):
            inter = int(np.logical_and(pred, ref).sum())
            union = int(np.logical_or(pred, ref).sum())
            inter_sum += inter
            union_sum += union
            ious.append(inter / union if union else 1.0)
    if was_training:
        model.train()
    return {"giou": float(np.mean(ious)) if ious else 0.0,
            "ciou": inter_sum / union_sum if union_sum else 0.0, "n": len(ious)}
