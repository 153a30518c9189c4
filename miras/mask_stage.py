"""The mask stage: train region alignment, the [SEG] MLP and the SAM prompt decoder on cached frozen features.

`train_mask(model, samples, args)` -> summary dict. The LLM side (base, LoRA, new token rows, vision) stays as
loaded (--init checkpoint or the fresh preset) and runs only in the one feature pass of miras.seg_features. Each
step draws `batch_size` [SEG] items (one mask each) from the training samples' features, decodes them as one batch
of images (MirasModel.decode_batch) and minimises bce_weight x BCE + dice_weight x Dice (no CE: the text side is
frozen), + point_weight x the point head's loss when the model has one (miras.pointing; the decoder then gets a
point inside the target, teacher forcing). With `point_only` a step trains the point head alone and skips the
decoder (milliseconds instead of seconds a step on a CPU); held-out IoU always decodes, from the point head's own
cells. `heldout` samples (miras.data.samples.split_heldout, never trained on) give the low-res mask IoU shown in
the progress bar, with steps/s, every `eval_every` steps.

Output folder as the joint trainer's: OUT/checkpoint (the whole model's trainable weights, the LLM side's copied
unchanged, so evals and miras.system load it as any MIRAS checkpoint; train_state.pt; meta.json stage "mask"),
OUT/log.jsonl, OUT/loss_curve.png, OUT/summary.json; the same call resumes after a kill.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from miras.checkpoint import check_stage, load_train_state, load_weights_into, save_checkpoint
from miras.data.batch import Featurizer
from miras.data.embed_cache import SamEmbeddingCache
from miras.config import ConfigError
from miras.data.samples import DataError, split_heldout
from miras.evaluate import lowres_iou
from miras.losses import mask_bce, mask_dice
from miras.mask_path import mask_path_modules
from miras.pointing import best_cells, interior_cells, pointing_hit_rate, pointing_loss
from miras.seg_features import SegFeatures, SegFeatureStore
from miras.trainer import EpochSampler, build_optimizer, lr_at, peak_rss_mb, plot_history


@dataclass
class MaskStageArgs:
    out: str
    steps: int = 500
    batch_size: int = 16
    lr: float = 3e-4
    warmup_steps: int = 20
    weight_decay: float = 0.0
    log_every: int = 10
    save_every: int = 100
    eval_every: int = 20
    heldout: int = 8
    seed: int = 0
    cache_dir: str | None = None
    features_dir: str | None = None
    extract_batch: int = 4
    max_seconds: float = 0.0  # > 0: fit the step count to this many seconds (timed on the first 10 steps)
    point_only: bool = False  # train only the point head (needs one): no decoder pass in training steps
    resume: bool = True
    progress: bool = True
    threads: int | None = None


@dataclass
class MaskBatch:
    """seg (B, H) [SEG] states, spans B tensors (L_i, H), sam (B, D, e, e) embeddings, targets (B, L, L)."""

    seg: torch.Tensor
    spans: list[torch.Tensor]
    sam: torch.Tensor
    targets: torch.Tensor


@dataclass
class MaskStep:
    """loss = bce_weight x bce + dice_weight x dice + point_weight x point (scalars; bce, dice None when the step
    did not decode, point None without a point head); logits (B, L, L) low-res masks or None; hits (B,) 1.0 where
    the point head's best cell is inside the target, or None."""

    loss: torch.Tensor
    bce: torch.Tensor | None
    dice: torch.Tensor | None
    point: torch.Tensor | None
    logits: torch.Tensor | None
    hits: torch.Tensor | None


def seg_items(features: list[SegFeatures]) -> list[tuple[int, int]]:
    """Every [SEG] of the features as (sample index, mask index)."""
    return [(r, i) for r, f in enumerate(features) for i in range(f.n)]


def collate(features: list[SegFeatures], items: list[tuple[int, int]], embeddings, device: torch.device) -> MaskBatch:
    """The batch of these [SEG] items; embeddings.sam_embedding(image, sha256) gives each image's SAM embedding
    (a Featurizer through its cache, or a table of embeddings already on the device)."""
    spans = [features[r].spans[i].to(device) for r, i in items]
    sam = torch.cat([embeddings.sam_embedding(features[r].image, features[r].image_sha) for r, _ in items])
    targets = torch.stack([features[r].targets[i] for r, i in items]).float()
    return MaskBatch(torch.stack([s[-1] for s in spans]), spans, sam.to(device), targets.to(device))


def mask_step(model, batch: MaskBatch, decode: bool = True, teacher_cells: bool = True) -> MaskStep:
    """The mask path forward on a batch and its loss (what MirasModel.forward computes for these [SEG]s, minus CE).
    decode=False: only the point head (needs one). teacher_cells: SAM gets a point inside the target (training);
    otherwise the point head's best cell (evaluation)."""
    w = model.cfg.loss
    point = hits = cells = None
    loss = batch.seg.new_zeros(())
    if model.pointer is not None:
        point_logits = model.point_logits(batch.sam, batch.seg, batch.spans)
        point = pointing_loss(point_logits, batch.targets)
        hits = pointing_hit_rate(point_logits.detach(), batch.targets)
        grid = batch.sam.shape[-1]
        cells = interior_cells(batch.targets, grid) if teacher_cells else best_cells(point_logits.detach())
        loss = loss + w.point_weight * point
    if not decode:
        if point is None:
            raise ValueError("a point-only step needs a model with a point head")
        return MaskStep(loss, None, None, point, None, hits)
    best_of_three = cells is not None and not teacher_cells  # inference: SAM's best of three for the head's point
    low, _ = model.decode_batch(batch.sam, model.prompts(batch.seg, batch.spans), cells, best_of_three)
    bce, dice = mask_bce(low, batch.targets), mask_dice(low, batch.targets)
    return MaskStep(loss + w.bce_weight * bce + w.dice_weight * dice, bce, dice, point, low, hits)


@torch.no_grad()
def heldout_scores(model, features: list[SegFeatures], embeddings, batch_size: int) -> dict[str, float] | None:
    """{"iou": mean low-res IoU (decoder grid, logits > 0), + "point_hit": the point head's hit rate when it has one}
    over every [SEG] of `features`, decoded as at inference (the point head's own cells); None when there are none."""
    items = seg_items(features)
    if not items:
        return None
    was_training = model.seg_head.training
    mask_path_mode(model, False)
    ious, hits = [], []
    for start in range(0, len(items), batch_size):
        batch = collate(features, items[start: start + batch_size], embeddings, model.device)
        res = mask_step(model, batch, teacher_cells=False)
        ious += lowres_iou(res.logits.float().cpu(), batch.targets.cpu()).tolist()
        hits += res.hits.tolist() if res.hits is not None else []
    mask_path_mode(model, was_training)
    scores = {"iou": sum(ious) / len(ious)}
    if hits:
        scores["point_hit"] = sum(hits) / len(hits)
    return scores


def heldout_iou(model, features: list[SegFeatures], embeddings, batch_size: int) -> float | None:
    """Mean low-res IoU over every [SEG] of `features` (heldout_scores' "iou"); None when there are none."""
    scores = heldout_scores(model, features, embeddings, batch_size)
    return None if scores is None else scores["iou"]


def mask_path_mode(model, training: bool) -> None:
    """Train (or eval) mode for the mask path only; the frozen LLM side always stays in eval mode."""
    model.eval()
    for module in mask_path_modules(model).values():
        module.train(training)


def train_mask(model, samples, args: MaskStageArgs, log=print) -> dict:
    """Extract (or reuse) the [SEG] features of `samples`, then fit the mask path on them (fit_mask_path), writing
    and resuming OUT/checkpoint as a whole MIRAS checkpoint."""
    if not samples:
        raise DataError("no training samples")
    if args.threads:
        torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ckpt = out / "checkpoint"
    cache_dir = Path(args.cache_dir or out / "cache")
    cache = SamEmbeddingCache(cache_dir, f"{model.cfg.seg.encoder}-{model.cfg.seg.image_size}")
    feat = Featurizer(model, cache)
    train_samples, heldout_samples = split_heldout(samples, args.heldout, args.seed)
    store = SegFeatureStore(args.features_dir or cache_dir / "seg_features", model, feat, args.extract_batch)
    train_feats = store.features(train_samples, progress=args.progress)
    heldout_feats = store.features(heldout_samples, progress=args.progress)
    log(f"mask stage: {len(seg_items(train_feats))} [SEG] masks from {len(train_samples)} samples, "
        f"{len(seg_items(heldout_feats))} held out; features {store.folder} ({store.extracted} extracted, "
        f"{store.reused} reused)")
    state = load_train_state(ckpt) if args.resume else None
    if state is not None:
        check_stage(ckpt, "mask")
        load_weights_into(model, ckpt)
        log(f"resumed from {ckpt} at step {int(state['step'])}")

    def save(train_state: dict) -> None:
        save_checkpoint(model, ckpt, train_state, {"step": train_state["step"], "stage": "mask", "args": asdict(args),
                                                   "features_key": store.key})

    summary: dict = {"stage": "mask", "features": {"folder": str(store.folder), "key": store.key,
                                                   "extracted": store.extracted, "reused": store.reused,
                                                   "train_masks": len(seg_items(train_feats))}}
    summary.update(fit_mask_path(model, train_feats, heldout_feats, feat, args, state=state, save=save))
    summary.update(cache_hits=cache.hits, cache_misses=cache.misses, heldout_ids=[s.id for s in heldout_samples])
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def fit_mask_path(model, train_feats: list[SegFeatures], heldout_feats: list[SegFeatures], embeddings,
                  args: MaskStageArgs, state: dict | None = None, save=None) -> dict:
    """The mask stage's loop on features already in hand.

    model: anything with the mask path (MirasModel, or miras.mask_path.MaskPath); embeddings: anything with
    `sam_embedding(image, sha256) -> (1, D, e, e)`; state: a train_state dict to resume from (optimizer, sampler,
    step, torch_rng, history, seconds); save(train_state): called every save_every steps and at the end.
    With args.max_seconds > 0 the run fits its step count to that time after timing its first 10 steps.
    With args.point_only only the point head trains (and steps skip the decoder).
    Writes OUT/log.jsonl and OUT/loss_curve.png; returns {"steps", "seconds", "history", "heldout_iou_before"
    (fresh runs), "heldout_iou_after", "peak_rss_mb"} (+ "heldout_point_hit_before" / "_after" with a point head).
    """
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    device = model.device
    use_bf16 = device.type == "cuda"
    items = seg_items(train_feats)
    if not items:
        raise DataError("the training samples hold no [SEG] masks")
    if args.point_only and model.pointer is None:
        raise ConfigError("--point-only needs a model with a point head (train with --point-head)")
    params = list(model.pointer.parameters()) if args.point_only else model.mask_path_parameters()
    opt = build_optimizer(model, args, params)
    sampler = EpochSampler(len(items), args.seed)
    history: list[dict] = []
    step, seconds_before = 0, 0.0
    if state is not None:
        opt.load_state_dict(state["optimizer"])
        sampler.restore(state["sampler"])
        torch.set_rng_state(state["torch_rng"])
        step, history, seconds_before = int(state["step"]), list(state["history"]), float(state["seconds"])
    result: dict = {}
    held = heldout_scores(model, heldout_feats, embeddings, args.batch_size) if args.eval_every else None
    if step == 0:
        result["heldout_iou_before"] = held and held["iou"]
        if held and "point_hit" in held:
            result["heldout_point_hit_before"] = held["point_hit"]
    mask_path_mode(model, True)
    bar = None
    if args.progress:
        from tqdm import tqdm

        bar = tqdm(total=args.steps, initial=step, desc="miras mask stage", dynamic_ncols=True)
    window: list[dict] = []
    t0, first_step = time.time(), step

    def train_state() -> dict:
        return {"optimizer": opt.state_dict(), "sampler": sampler.state(), "step": step,
                "torch_rng": torch.get_rng_state(), "history": history, "seconds": seconds_before + time.time() - t0}

    while step < args.steps:
        for group in opt.param_groups:
            group["lr"] = lr_at(step, args)
        batch = collate(train_feats, [items[i] for i in sampler.take(args.batch_size)], embeddings, device)
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=use_bf16):
            res = mask_step(model, batch, decode=not args.point_only)
        res.loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        if args.max_seconds and step == first_step + 10:
            per_step = (time.time() - t0) / 10
            args.steps = max(step, min(args.steps, step + int((args.max_seconds - (time.time() - t0)) / per_step)))
            if bar is not None:
                bar.total = args.steps
        window.append(step_row(res, batch))
        if args.eval_every and step % args.eval_every == 0:
            held = heldout_scores(model, heldout_feats, embeddings, args.batch_size)
        rate = (step - first_step) / max(time.time() - t0, 1e-9)
        if bar is not None:
            bar.update(1)
            shown = {"loss": f"{window[-1]['loss']:.3f}", "steps/s": f"{rate:.2f}"}
            shown.update({f"heldout_{k}": f"{v:.3f}" for k, v in (held or {}).items()})
            bar.set_postfix(shown)
        if step % args.log_every == 0 or step == args.steps:
            row = {k: sum(w[k] for w in window) / len(window) for k in window[0]}
            row.update(step=step, lr=lr_at(step - 1, args), seconds=seconds_before + time.time() - t0,
                       steps_per_s=rate, masks_per_s=rate * args.batch_size, peak_rss_mb=peak_rss_mb())
            row.update({f"heldout_{k}": v for k, v in (held or {}).items()})
            history.append(row)
            window = []
            with open(out / "log.jsonl", "a") as fh:
                fh.write(json.dumps(row) + "\n")
            if not args.progress:
                print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}), flush=True)
        if save is not None and (step % args.save_every == 0 or step == args.steps):
            save(train_state())
            if history:
                try:
                    plot_history(history, out / "loss_curve.png", heldout_key="heldout_iou")
                except ImportError:  # no matplotlib (a bare GPU machine): the log still has every row
                    pass
    if bar is not None:
        bar.close()
    mask_path_mode(model, False)
    held = heldout_scores(model, heldout_feats, embeddings, args.batch_size)
    result.update(steps=step, seconds=seconds_before + time.time() - t0, peak_rss_mb=peak_rss_mb(), history=history,
                  heldout_iou_after=held and held["iou"])
    if held and "point_hit" in held:
        result["heldout_point_hit_after"] = held["point_hit"]
    return result


def step_row(res: MaskStep, batch: MaskBatch) -> dict[str, float]:
    """One training step's figures for the log: loss, and bce / dice / iou / point / point_hit where computed."""
    row = {"loss": float(res.loss.detach())}
    if res.logits is not None:
        row.update(bce=float(res.bce.detach()), dice=float(res.dice.detach()),
                   iou=float(lowres_iou(res.logits.detach().float().cpu(), batch.targets.cpu()).mean()))
    if res.point is not None:
        row.update(point=float(res.point.detach()), point_hit=float(res.hits.mean()))
    return row
