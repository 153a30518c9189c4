"""Where a MIRAS training step's time goes: seconds per part of a joint-stage step, as one JSON object.

    python benchmarks/profile_miras_step.py --preset small --data runs/synth_train \
        --data-coco ../shared/data/coco_tiny --steps 3 --threads 1 [--cache runs/cache] [--mask-steps 2]

Takes the same flags as `python -m miras.train` (model, samples and sizes are built by its own functions) and runs
--steps optimizer steps of the joint trainer's shape (batch_size x grad_accum samples) on a fresh optimizer, timing
with perf_counter (module forward hooks, wrapped functions):
    featurize.sam_encoder  SAM image encoder on embedding-cache misses (first epoch; --cache DIR to reuse one)
    featurize.sam_cache    embedding cache lookups (disk reads), without the encoder
    featurize.other        image decoding, LLM-side vision inputs, tokenization, target masks
    vision_tower           VisionTokens (tower if any, fusion, projector)
    llm_forward            the LLM over the spliced sequence
    seg_align_head         region alignment + [SEG] MLP
    mask_decoder           SAM prompt decoder
    losses                 text CE, mask BCE, Dice
    forward_other          the rest of MirasModel.forward (embedding, splice, bookkeeping)
    backward, optimizer    loss.backward(); gradient clipping + AdamW step
"share" is each part's fraction of the mean step. With --mask-steps N it also times N mask-stage steps
(miras.mask_stage, --mask-batch [SEG] masks each) on features of the profiled samples; that also measures the
one-time [SEG] feature pass per sample; --point-steps N times N point-only steps (the point head alone, no decoder
pass; give --point-head when the checkpoint has none). "masks_per_second" compares the three in this one run (ratios
to the joint step). The first step includes one-time costs; "mean" averages the others.
"""
from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

JOINT_PARTS = ["featurize.sam_encoder", "featurize.sam_cache", "featurize.other", "vision_tower", "llm_forward",
               "seg_align_head", "mask_decoder", "losses", "forward_other", "backward", "optimizer"]
MASK_PARTS = ["collate", "seg_align_head", "mask_decoder", "losses", "backward", "optimizer"]


class PartTimer:
    """Accumulates inclusive wall seconds per part name (synchronising CUDA around each measurement)."""

    def __init__(self, cuda: bool):
        import torch

        self.sync = torch.cuda.synchronize if cuda else (lambda: None)
        self.seconds: dict[str, float] = defaultdict(float)
        self._open: dict[str, float] = {}

    def begin(self, part: str) -> None:
        self.sync()
        self._open[part] = time.perf_counter()

    def end(self, part: str) -> None:
        self.sync()
        self.seconds[part] += time.perf_counter() - self._open.pop(part)

    @contextmanager
    def part(self, name: str):
        self.begin(name)
        try:
            yield
        finally:
            self.end(name)

    def hook(self, module, name: str) -> None:
        module.register_forward_pre_hook(lambda *_: self.begin(name))
        module.register_forward_hook(lambda *_: self.end(name))

    def wrap(self, owner, attr: str, name: str) -> None:
        original = getattr(owner, attr)

        def timed(*args, **kwargs):
            with self.part(name):
                return original(*args, **kwargs)

        setattr(owner, attr, timed)

    def take(self) -> dict[str, float]:
        out, self.seconds = dict(self.seconds), defaultdict(float)
        return out


def _instrument(model, cache, timer: PartTimer) -> None:
    import miras.model

    timer.wrap(model, "encode_sam", "sam_encoder")
    timer.wrap(cache, "get", "sam_cache_get")
    timer.hook(model, "forward")
    timer.hook(model.vision, "vision_tower")
    timer.hook(model.llm, "llm_forward")
    timer.hook(model.align, "align")
    timer.hook(model.seg_head, "seg_head")
    timer.hook(model.decoder, "mask_decoder")
    for fn in ("text_ce", "mask_bce", "mask_dice"):
        timer.wrap(miras.model, fn, "losses")


def _joint_parts(raw: dict[str, float]) -> dict[str, float]:
    """Inclusive timings -> exclusive parts that add up to the step."""
    g = lambda k: raw.get(k, 0.0)  # noqa: E731
    align_head = g("align") + g("seg_head")
    inside = g("vision_tower") + g("llm_forward") + align_head + g("mask_decoder") + g("losses")
    parts = {"featurize.sam_encoder": g("sam_encoder"), "featurize.sam_cache": g("sam_cache_get") - g("sam_encoder"),
             "featurize.other": g("featurize") - g("sam_cache_get"), "vision_tower": g("vision_tower"),
             "llm_forward": g("llm_forward"), "seg_align_head": align_head, "mask_decoder": g("mask_decoder"),
             "losses": g("losses"), "forward_other": g("forward") - inside, "backward": g("backward"),
             "optimizer": g("optimizer")}
    parts["step"] = g("step")
    return parts


def _mask_parts(raw: dict[str, float]) -> dict[str, float]:
    g = lambda k: raw.get(k, 0.0)  # noqa: E731
    return {"collate": g("collate"), "seg_align_head": g("align") + g("seg_head"),
            "mask_decoder": g("mask_decoder"), "losses": g("losses"), "backward": g("backward"),
            "optimizer": g("optimizer"), "step": g("step")}


def _summary(steps: list[dict[str, float]], names: list[str]) -> dict:
    use = steps[1:] if len(steps) > 1 else steps
    mean = {k: sum(s[k] for s in use) / len(use) for k in [*names, "step"]}
    accounted = sum(mean[k] for k in names)
    return {"mean_seconds": {k: round(v, 4) for k, v in mean.items()},
            "share": {k: round(mean[k] / mean["step"], 4) for k in names} if mean["step"] else {},
            "unaccounted_seconds": round(mean["step"] - accounted, 4),
            "per_step_seconds": [{k: round(v, 4) for k, v in s.items()} for s in steps]}


def profile_joint(model, feat, samples, steps: int, batch_size: int, grad_accum: int, lr: float, seed: int,
                  timer: PartTimer) -> tuple[list[dict[str, float]], list, int]:
    import torch

    from miras.trainer import EpochSampler, build_optimizer

    opt = build_optimizer(model, SimpleNamespace(lr=lr, weight_decay=0.0))
    sampler = EpochSampler(len(samples), seed)
    use_bf16 = model.device.type == "cuda"
    model.train()
    out, used, masks = [], [], 0
    for _ in range(steps):
        timer.take()
        timer.begin("step")
        for _ in range(grad_accum):
            chunk = [samples[i] for i in sampler.take(batch_size)]
            used += chunk
            with timer.part("featurize"):
                batch = feat.batch(chunk)
            masks += sum(0 if g is None else g.shape[0] for g in batch.gt_masks)
            with torch.autocast(device_type=model.device.type, dtype=torch.bfloat16, enabled=use_bf16):
                res = model(batch)
            with timer.part("backward"):
                (res["loss"] / grad_accum).backward()
        with timer.part("optimizer"):
            torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
        timer.end("step")
        out.append(_joint_parts(timer.take()))
    return out, used, masks


def profile_mask(model, feat, samples, steps: int, batch: int, lr: float, timer: PartTimer,
                 point_only: bool = False) -> dict:
    """Mask-stage steps (point_only: the point head alone, no decoder pass) on the features of `samples`."""
    import torch

    import miras.mask_stage
    from miras.mask_stage import collate, mask_path_mode, mask_step, seg_items
    from miras.seg_features import SegFeatureStore
    from miras.trainer import build_optimizer

    store = SegFeatureStore(Path("unused"), model, feat)  # extract() only: nothing is read or written
    t = time.perf_counter()
    features = store.extract(samples)  # the one teacher-forced no-grad pass the mask stage caches
    extract_s = time.perf_counter() - t
    items = seg_items(features)
    if not items:
        return {"error": "the profiled samples hold no [SEG] masks"}
    for fn in ("mask_bce", "mask_dice"):
        timer.wrap(miras.mask_stage, fn, "losses")
    params = list(model.pointer.parameters()) if point_only else model.mask_path_parameters()
    opt = build_optimizer(model, SimpleNamespace(lr=lr, weight_decay=0.0), params)
    mask_path_mode(model, True)
    timer.take()
    out = []
    for step in range(steps):
        chosen = [items[(step * batch + i) % len(items)] for i in range(batch)]
        timer.begin("step")
        with timer.part("collate"):
            mb = collate(features, chosen, feat, model.device)
        res = mask_step(model, mb, decode=not point_only)
        with timer.part("backward"):
            res.loss.backward()
        with timer.part("optimizer"):
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
        timer.end("step")
        out.append(_mask_parts(timer.take()))
    summary = _summary(out, MASK_PARTS)
    summary.update(masks_per_step=batch, feature_pass_seconds_per_sample=round(extract_s / len(samples), 4),
                   steps_per_second=round(1.0 / summary["mean_seconds"]["step"], 3),
                   masks_per_second=round(batch / summary["mean_seconds"]["step"], 3))
    return summary


def main(argv=None) -> int:
    import argparse

    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--mask-steps", type=int, default=0)
    pre.add_argument("--mask-batch", type=int, default=16)
    pre.add_argument("--point-steps", type=int, default=0,
                     help="also time N point-only mask steps (needs --point-head or a checkpoint with a head)")
    extra, rest = pre.parse_known_args(argv)

    import torch

    from miras.data.batch import Featurizer
    from miras.data.embed_cache import SamEmbeddingCache
    from miras.train import config_from_args, gather_samples, model_from_args, parse_args

    args = parse_args(rest)
    if args.threads:
        torch.set_num_threads(args.threads)
    t = time.perf_counter()
    cfg = config_from_args(args)
    samples = gather_samples(args)
    model = model_from_args(args, cfg)
    build_s = time.perf_counter() - t
    cache = SamEmbeddingCache(args.cache, f"{cfg.seg.encoder}-{cfg.seg.image_size}")
    feat = Featurizer(model, cache)
    timer = PartTimer(model.device.type == "cuda")
    _instrument(model, cache, timer)
    tc = cfg.train
    steps, used, masks = profile_joint(model, feat, samples, args.steps, tc.batch_size, tc.grad_accum, tc.lr,
                                       args.seed, timer)
    result = {"preset": cfg.preset, "device": str(model.device), "threads": torch.get_num_threads(),
              "build_seconds": round(build_s, 2), "samples": len(samples), "steps": args.steps,
              "samples_per_step": tc.batch_size * tc.grad_accum, "masks_per_step": round(masks / args.steps, 2),
              "sam_cache": {"folder": args.cache, "hits": cache.hits, "misses": cache.misses},
              **_summary(steps, JOINT_PARTS)}
    if extra.mask_steps:
        result["mask_stage"] = profile_mask(model, feat, used[: max(1, tc.batch_size * tc.grad_accum)],
                                            extra.mask_steps, extra.mask_batch, tc.lr, timer)
    if extra.point_steps:
        result["point_only_stage"] = profile_mask(model, feat, used[: max(1, tc.batch_size * tc.grad_accum)],
                                                  extra.point_steps, extra.mask_batch, tc.lr, timer, point_only=True)
    joint_rate = result["masks_per_step"] / result["mean_seconds"]["step"] if result["mean_seconds"]["step"] else 0
    result["masks_per_second"] = {"joint": round(joint_rate, 3)}
    for key in ("mask_stage", "point_only_stage"):
        if "masks_per_second" in result.get(key, {}):
            rate = result[key]["masks_per_second"]
            result["masks_per_second"][key] = rate
            result["masks_per_second"][f"{key}_vs_joint"] = round(rate / joint_rate, 1) if joint_rate else None
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
