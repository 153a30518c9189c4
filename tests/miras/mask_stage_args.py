"""MaskStageArgs for the tiny mask-stage runs of the MIRAS tests: small batches, a high learning rate, no progress bar."""
from __future__ import annotations

from pathlib import Path

from miras.mask_stage import MaskStageArgs


def mask_stage_args(tmp: Path, steps: int, **kw) -> MaskStageArgs:
    """Output and feature cache under `tmp`; keyword arguments override the defaults."""
    base = dict(out=str(tmp / "run"), steps=steps, batch_size=8, lr=3e-3, warmup_steps=2, log_every=1,
                save_every=1000, eval_every=0, heldout=0, seed=0, cache_dir=str(tmp / "cache"), progress=False)
    base.update(kw)
    return MaskStageArgs(**base)
