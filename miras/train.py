"""`python -m miras.train --preset tiny|small|paper --data DIR [--data-coco DIR] [--stage 1|2|mask] [--steps N]
[--lora-r 8] [--out DIR] [--batch-size B] [--grad-accum G] [--lr LR] [--init CKPT] [--cache DIR]
[--heldout N] [--eval-every K]`

Stage 1: COCO "segment the <category>" samples (--data-coco, or --data when it is a COCO folder).
Stage 2: format-2 dialogues from --data (multi-turn, loss on every assistant turn), plus COCO samples when
--data-coco is also given. --init starts from another run's checkpoint weights (e.g. stage 1 -> stage 2).
Stage mask (miras.mask_stage): the LLM side of --init (or of the fresh preset) frozen; one cached feature pass,
then only region alignment, the [SEG] MLP and the prompt decoder train, --batch-size [SEG] masks a step (16);
--max-minutes M fits the step count to M minutes. --point-head adds a [SEG] point head (miras.pointing) to an
--init checkpoint without one; --point-only trains that head alone (no decoder pass in a step). --reset-decoder puts
the prompt decoder back to SAM's own weights after --init.
--coco-split train2017 keeps val2017 (the COCO referring benchmark's photos) out of training.
--heldout N samples are set aside and their mask IoU is shown in the progress bar every --eval-every steps.
Re-running with the same --out resumes from OUT/checkpoint (optimizer, step, sampler, RNG).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from tools.weights import MissingWeightsError

from miras.checkpoint import CheckpointError, load_weights_into, read_config
from miras.config import ConfigError, MirasConfig, apply_overrides, preset
from miras.data.samples import DataError, coco_samples, read_dialogues
from miras.mask_stage import MaskStageArgs, train_mask
from miras.trainer import TrainArgs, train

MASK_BATCH = 16


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m miras.train", description="Train MIRAS.")
    p.add_argument("--preset", default="tiny", choices=["tiny", "small", "paper"])
    p.add_argument("--data", help="format-2 dialogues folder (stage 2) or a COCO folder (stage 1)")
    p.add_argument("--data-coco", help="COCO folder for stage-1 samples")
    p.add_argument("--stage", default="2", choices=["1", "2", "mask"],
                   help="1: COCO; 2: dialogues (+ COCO); mask: only the mask path, on cached frozen features")
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--lora-r", type=int, default=None)
    p.add_argument("--out", default="runs/miras")
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--grad-accum", type=int, default=None)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--init", help="checkpoint folder to start from (weights only)")
    p.add_argument("--cache", default=None, help="SAM embedding cache folder (default OUT/../cache)")
    p.add_argument("--max-images", type=int, default=None, help="use at most this many COCO images per split")
    p.add_argument("--coco-split", action="append", default=None, metavar="SPLIT",
                   help="COCO splits to use (repeatable, e.g. train2017: keeps val2017, the COCO referring "
                        "benchmark's photos, out of training); default all")
    p.add_argument("--max-samples", type=int, default=None)
    p.add_argument("--eval-samples", type=int, default=16)
    p.add_argument("--heldout", type=int, default=8, help="samples set aside (not trained on) for held-out IoU")
    p.add_argument("--eval-every", type=int, default=20, help="held-out IoU every K steps (0: off)")
    p.add_argument("--max-minutes", type=float, default=0.0,
                   help="mask stage: fit --steps to this many minutes of training (timed on its first 10 steps)")
    p.add_argument("--point-head", action="store_true",
                   help="give the model a [SEG] point head (miras.pointing) when --init's checkpoint has none")
    p.add_argument("--point-only", action="store_true",
                   help="mask stage: train only the point head (no decoder pass in training steps)")
    p.add_argument("--reset-decoder", action="store_true",
                   help="put the SAM prompt decoder back to its real weights after --init (undo a joint stage's "
                        "damage to it)")
    p.add_argument("--features", default=None, help="mask stage: [SEG] feature cache (default CACHE/seg_features)")
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--save-every", type=int, default=50)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default=None)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="config override, e.g. vision.grid=4 (repeatable; not with --init)")
    p.add_argument("--fresh", action="store_true", help="ignore an existing OUT/checkpoint")
    p.add_argument("--no-progress", action="store_true")
    args = p.parse_args(argv)
    args.stage = int(args.stage) if args.stage.isdigit() else args.stage
    return args


def gather_samples(args) -> list:
    samples = []
    if args.stage == "mask":
        if not (args.data or args.data_coco):
            raise DataError("the mask stage needs --data (dialogues) and/or --data-coco")
        samples += read_dialogues(args.data) if args.data else []
        samples += coco_samples(args.data_coco, seed=args.seed, max_images=args.max_images,
                                splits=args.coco_split) if args.data_coco else []
    elif args.stage == 1:
        folder = args.data_coco or args.data
        if not folder:
            raise DataError("stage 1 needs --data-coco (or --data) pointing at a COCO folder")
        samples += coco_samples(folder, seed=args.seed, max_images=args.max_images, splits=args.coco_split)
    else:
        if not args.data:
            raise DataError("stage 2 needs --data pointing at a dialogues folder")
        samples += read_dialogues(args.data)
        if args.data_coco:
            samples += coco_samples(args.data_coco, seed=args.seed, max_images=args.max_images, splits=args.coco_split)
    if args.max_samples:
        samples = samples[: args.max_samples]
    if not samples:
        raise DataError("no usable training samples found")
    return samples


def config_from_args(args) -> MirasConfig:
    """The run's config: --init's config.json or the preset with --set overrides, then the CLI's training sizes."""
    cfg = read_config(args.init) if args.init else apply_overrides(preset(args.preset), args.set)
    if args.init and args.set:
        raise ConfigError("--set cannot change the architecture of an --init checkpoint")
    t = cfg.train
    if args.lora_r is not None:
        if args.init and args.lora_r != t.lora_r:
            raise ConfigError("--lora-r cannot change when starting from --init")
        t.lora_r = args.lora_r
    t.batch_size = args.batch_size or t.batch_size
    t.grad_accum = args.grad_accum or t.grad_accum
    t.lr = args.lr or t.lr
    cfg.seed = args.seed
    return cfg


def model_from_args(args, cfg: MirasConfig):
    """The model built from cfg on --device (default cuda when available), with --init's weights loaded."""
    from miras.build import build_miras

    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    model = build_miras(cfg, device=device)
    if args.init:
        load_weights_into(model, args.init)
    if args.reset_decoder:
        model.reset_decoder()
    if args.point_head and model.pointer is None:
        model.add_pointer()
    if args.point_only and (args.stage != "mask" or model.pointer is None):
        raise ConfigError("--point-only trains a point head in the mask stage: give --stage mask and --point-head "
                          "(or an --init checkpoint that has a point head)")
    return model


def _joint_args(args, cfg: MirasConfig, out: Path) -> TrainArgs:
    t = cfg.train
    return TrainArgs(out=str(out), steps=args.steps, batch_size=t.batch_size, grad_accum=t.grad_accum, lr=t.lr,
                     warmup_steps=min(t.warmup_steps, max(1, args.steps // 10)), weight_decay=t.weight_decay,
                     log_every=args.log_every, save_every=args.save_every, eval_samples=args.eval_samples,
                     heldout=args.heldout, eval_every=args.eval_every, seed=args.seed,
                     cache_dir=args.cache or str(out.parent / "cache"), resume=not args.fresh,
                     progress=not args.no_progress, threads=args.threads)


def _mask_args(args, cfg: MirasConfig, out: Path) -> MaskStageArgs:
    t = cfg.train
    return MaskStageArgs(out=str(out), steps=args.steps, batch_size=args.batch_size or MASK_BATCH, lr=t.lr,
                         warmup_steps=min(t.warmup_steps, max(1, args.steps // 10)), weight_decay=t.weight_decay,
                         log_every=args.log_every, save_every=args.save_every, eval_every=args.eval_every,
                         heldout=args.heldout, seed=args.seed, cache_dir=args.cache or str(out.parent / "cache"),
                         features_dir=args.features, max_seconds=60.0 * args.max_minutes, point_only=args.point_only,
                         resume=not args.fresh, progress=not args.no_progress,
                         threads=args.threads)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        if args.threads:
            torch.set_num_threads(args.threads)
        cfg = config_from_args(args)
        samples = gather_samples(args)
        model = model_from_args(args, cfg)
        out = Path(args.out)
        trainable = model.mask_path_parameters() if args.stage == "mask" else \
            [p for p in model.parameters() if p.requires_grad]
        print(f"MIRAS {cfg.preset} (stage {args.stage}): {len(samples)} samples, device {model.device}, "
              f"{sum(p.numel() for p in trainable):,} trainable parameters")
        if args.stage == "mask":
            summary = train_mask(model, samples, _mask_args(args, cfg, out))
        else:
            summary = train(model, samples, _joint_args(args, cfg, out))
    except (ConfigError, DataError, CheckpointError, MissingWeightsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    brief = {k: v for k, v in summary.items() if k != "history"}
    print(json.dumps(brief, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
