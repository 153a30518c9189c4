"""The training loop: AdamW, warmup + cosine LR, gradient accumulation, bf16 autocast on GPU (fp32 on CPU),
periodic atomic checkpoints, resume after a kill, a progress bar, log.jsonl and loss_curve.png.
With `heldout` > 0 that many samples are set aside (miras.data.samples.split_heldout) and their teacher-forced
mask IoU (gIoU at full size) is shown in the bar and logged as "heldout_giou" every `eval_every` steps.

`train(model, samples, args)` -> summary dict. Output folder layout:
    OUT/checkpoint/   config.json, weights.safetensors, train_state.pt, meta.json (latest; resumable)
    OUT/log.jsonl     one line per logged step;  OUT/loss_curve.png
"""
from __future__ import annotations

import json
import math
import random
import resource
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from miras.checkpoint import check_stage, load_train_state, load_weights_into, save_checkpoint
from miras.data.batch import Featurizer
from miras.data.embed_cache import SamEmbeddingCache
from miras.data.samples import DataError, split_heldout
from miras.evaluate import lowres_iou, mask_iou_teacher_forced
from miras.llm import row_params


@dataclass
class TrainArgs:
    out: str
    steps: int = 100
    batch_size: int = 2
    grad_accum: int = 1
    lr: float = 3e-4
    warmup_steps: int = 10
    weight_decay: float = 0.0
    log_every: int = 10
    save_every: int = 50
    eval_samples: int = 16
    heldout: int = 0
    eval_every: int = 0
    seed: int = 0
    cache_dir: str | None = None
    resume: bool = True
    progress: bool = True
    threads: int | None = None


class EpochSampler:
    """Shuffled passes over n samples; its state (epoch, position) is saved with the checkpoint."""

    def __init__(self, n: int, seed: int):
        self.n, self.seed, self.epoch, self.pos = n, seed, 0, 0
        self._order = self._make()

    def _make(self) -> list[int]:
        order = list(range(self.n))
        random.Random(self.seed * 1000003 + self.epoch).shuffle(order)
        return order

    def take(self, k: int) -> list[int]:
        out = []
        while len(out) < k:
            if self.pos >= self.n:
                self.epoch, self.pos = self.epoch + 1, 0
                self._order = self._make()
            out.append(self._order[self.pos])
            self.pos += 1
        return out

    def state(self) -> dict:
        return {"epoch": self.epoch, "pos": self.pos}

    def restore(self, state: dict) -> None:
        self.epoch, self.pos = int(state["epoch"]), int(state["pos"])
        self._order = self._make()


def lr_at(step: int, args: TrainArgs) -> float:
    if step < args.warmup_steps:
        return args.lr * (step + 1) / args.warmup_steps
    span = max(1, args.steps - args.warmup_steps)
    progress = min(1.0, (step - args.warmup_steps) / span)
    return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def build_optimizer(model, args, params: list[torch.nn.Parameter] | None = None) -> torch.optim.Optimizer:
    """AdamW over `params` (default: every trainable parameter); no weight decay on biases, norms and token rows.
    args needs lr and weight_decay."""
    rows = {id(p) for p in row_params(model.llm).values()} if hasattr(model, "llm") else set()
    decay, no_decay = [], []
    for p in params if params is not None else [q for q in model.parameters() if q.requires_grad]:
        (no_decay if id(p) in rows or p.ndim < 2 else decay).append(p)
    groups = [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.95))


def plot_history(history: list[dict], path: Path, heldout_key: str = "heldout_giou") -> None:
    """loss_curve.png: the loss parts present in the rows, and train (plus held-out, when logged) mask IoU."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [h["step"] for h in history]
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.6))
    for key in ("loss", "ce", "bce", "dice", "point"):
        if key in history[0]:
            a.plot(steps, [h[key] for h in history], label=key)
    a.set_xlabel("step"), a.set_title("training loss"), a.legend()
    if "iou" in history[0]:
        b.plot(steps, [h["iou"] for h in history], color="tab:green", label="train (low-res, teacher forced)")
    if "point_hit" in history[0]:
        b.plot(steps, [h["point_hit"] for h in history], color="tab:purple", label="train point hit rate")
    for key, colour in ((heldout_key, "tab:red"), ("heldout_point_hit", "tab:orange")):
        held = [(h["step"], h[key]) for h in history if h.get(key) is not None]
        if held:
            b.plot(*zip(*held), color=colour, marker=".", label=f"held out ({key})")
    b.set_xlabel("step"), b.set_title("mask IoU"), b.set_ylim(0, 1), b.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def train(model, samples, args: TrainArgs, log=print) -> dict:
    if not samples:
        raise DataError("no training samples")
    if args.threads:
        torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ckpt = out / "checkpoint"
    device = model.device
    use_bf16 = device.type == "cuda"
    cache = SamEmbeddingCache(args.cache_dir, f"{model.cfg.seg.encoder}-{model.cfg.seg.image_size}")
    feat = Featurizer(model, cache)
    opt = build_optimizer(model, args)
    samples, heldout = split_heldout(samples, args.heldout, args.seed)
    sampler = EpochSampler(len(samples), args.seed)
    history: list[dict] = []
    step, seconds_before = 0, 0.0
    state = load_train_state(ckpt) if args.resume else None
    if state is not None:
        check_stage(ckpt, "joint")
        load_weights_into(model, ckpt)
        opt.load_state_dict(state["optimizer"])
        sampler.restore(state["sampler"])
        torch.set_rng_state(state["torch_rng"])
        step, history, seconds_before = int(state["step"]), list(state["history"]), float(state["seconds"])
        log(f"resumed from {ckpt} at step {step}")
    eval_set = [samples[i] for i in random.Random(args.seed).sample(range(len(samples)),
                                                                     min(args.eval_samples, len(samples)))]
    summary = {"eval_before": None}
    if step == 0 and args.eval_samples:
        summary["eval_before"] = mask_iou_teacher_forced(model, feat, eval_set)
        log(f"teacher-forced IoU before training: {summary['eval_before']}")
    evaluate_heldout = bool(heldout and args.eval_every)
    heldout_giou = mask_iou_teacher_forced(model, feat, heldout)["giou"] if evaluate_heldout else None
    if step == 0:
        summary["heldout_before"] = heldout_giou
    model.train()
    bar = None
    if args.progress:
        from tqdm import tqdm

        bar = tqdm(total=args.steps, initial=step, desc="miras", dynamic_ncols=True)
    window: list[dict] = []
    t0 = time.time()
    while step < args.steps:
        for group in opt.param_groups:
            group["lr"] = lr_at(step, args)
        parts = {"loss": 0.0, "ce": 0.0, "bce": 0.0, "dice": 0.0}
        ious = []
        for _ in range(args.grad_accum):
            batch = feat.batch([samples[i] for i in sampler.take(args.batch_size)])
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=use_bf16):
                res = model(batch)
            (res["loss"] / args.grad_accum).backward()
            for key in parts:
                parts[key] += float(res[key].detach()) / args.grad_accum
            for low, gt in zip(res["masks"], batch.gt_masks):
                if low is not None:
                    ious += lowres_iou(low.float().cpu(), gt).tolist()
        torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        window.append({**parts, "iou": sum(ious) / len(ious) if ious else float("nan")})
        if evaluate_heldout and step % args.eval_every == 0:
            heldout_giou = mask_iou_teacher_forced(model, feat, heldout)["giou"]
        if bar is not None:
            bar.update(1)
            shown = {"loss": f"{parts['loss']:.3f}", "iou": f"{window[-1]['iou']:.2f}"}
            if heldout_giou is not None:
                shown["heldout"] = f"{heldout_giou:.3f}"
            bar.set_postfix(shown)
        if step % args.log_every == 0 or step == args.steps:
            row = {k: sum(w[k] for w in window) / len(window) for k in window[0]}
            row.update(step=step, lr=lr_at(step - 1, args), seconds=seconds_before + time.time() - t0,
                       peak_rss_mb=peak_rss_mb())
            if heldout_giou is not None:
                row["heldout_giou"] = heldout_giou
            history.append(row)
            window = []
            with open(out / "log.jsonl", "a") as fh:
                fh.write(json.dumps(row) + "\n")
            if not args.progress:
                log(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}))
        if step % args.save_every == 0 or step == args.steps:
            train_state = {"optimizer": opt.state_dict(), "sampler": sampler.state(), "step": step,
                           "torch_rng": torch.get_rng_state(), "history": history,
                           "seconds": seconds_before + time.time() - t0}
            save_checkpoint(model, ckpt, train_state, {"step": step, "stage": "joint", "args": asdict(args)})
            if history:
                plot_history(history, out / "loss_curve.png")
    if bar is not None:
        bar.close()
    summary.update(steps=step, seconds=seconds_before + time.time() - t0, peak_rss_mb=peak_rss_mb(),
                   history=history, cache_hits=cache.hits, cache_misses=cache.misses)
    if args.eval_samples:
        summary["eval_after"] = mask_iou_teacher_forced(model, feat, eval_set)
        log(f"teacher-forced IoU after training: {summary['eval_after']}")
    if heldout:
        summary["heldout_after"] = mask_iou_teacher_forced(model, feat, heldout)
        summary["heldout_ids"] = [s.id for s in heldout]
        log(f"teacher-forced IoU on {len(heldout)} held-out samples: {summary['heldout_after']}")
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary
