"""Train the mask stage on a GPU machine from a bundle that fits in one device call (at most 64 MiB).

The LLM cannot travel (the SmolLM2 GGUF alone is 98 MB), so its part is done here, once: the [SEG] span features of
every sample are extracted with the frozen LLM side of a checkpoint (miras.seg_features, the same features the CPU
mask stage uses). The GPU then trains only the mask path (region alignment, [SEG] MLP, SAM prompt decoder) on them,
and its weights come back to be merged into the checkpoint.

    python -m miras.device_train pack --init RUN/checkpoint --data runs/synth_train \
        --data-coco ../shared/data/coco_tiny --coco-split train2017 --out runs/device_bundle  # here, CPU
    python -m miras.device_train train --bundle runs/device_bundle --out $OUT --minutes 7   # on the GPU
    python -m miras.device_train merge --init RUN/checkpoint --trained OUT_FILES --out runs/miras-gpu  # here

Bundle folder (miras.bundle_io): config.json (the checkpoint's), bundle.json (sizes, samples, held-out ids),
mask_path.safetensors (starting weights, float16), sam_encoder.safetensors (frozen SAM image encoder, float16),
features.safetensors ([SEG] spans float16, bit-packed low-res targets), images/ (JPEG). `train` writes
OUT/mask_path.safetensors (float16, every --save-every steps and at the end), OUT/log.jsonl, OUT/loss_curve.png
(when matplotlib is there) and OUT/summary.json; `merge` writes a normal MIRAS checkpoint folder that evals and miras.chat load.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

from tools.weights import MissingWeightsError

from miras.checkpoint import CheckpointError
from miras.config import ConfigError
from miras.data.samples import DataError
from miras.bundle_io import (
    BundleError,
    BundleTable,
    merge_trained,
    read_bundle,
    write_bundle,
)


def _pack(args) -> int:
    from miras.checkpoint import read_config
    from miras.train import gather_samples, model_from_args

    args.stage, args.point_only = "mask", False
    cfg = read_config(args.init)
    samples = gather_samples(args)
    model = model_from_args(args, cfg)
    report = write_bundle(model, samples, Path(args.out), cache_dir=Path(args.cache), heldout=args.heldout,
                          seed=args.seed, max_mb=args.max_mb, quality=args.jpeg_quality,
                          image_format=args.image_format)
    print(json.dumps(report, indent=2))
    return 0


def _train(args) -> int:
    from miras.mask_stage import MaskStageArgs, fit_mask_path

    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    t0 = time.time()
    bundle = read_bundle(Path(args.bundle), device)
    table = BundleTable(bundle, device, batch=args.embed_batch)
    print(f"bundle: {len(bundle.train)} training samples ({sum(f.n for f in bundle.train)} masks), "
          f"{len(bundle.heldout)} held out; {len(table)} SAM embeddings on {device} in {time.time() - t0:.1f} s",
          flush=True)
    out = Path(args.out)
    margs = MaskStageArgs(out=str(out), steps=args.steps, batch_size=args.batch_size, lr=args.lr,
                          warmup_steps=min(50, max(1, args.steps // 20)), log_every=args.log_every,
                          save_every=args.save_every, eval_every=args.eval_every, seed=args.seed,
                          max_seconds=60.0 * args.minutes - (time.time() - t0), point_only=args.point_only,
                          progress=False)
    # saved every --save-every steps (with loss_curve.png), so a call cut off at its limit still returns weights
    summary = fit_mask_path(bundle.mask_path, bundle.train, bundle.heldout, table, margs,
                            save=lambda _state: bundle.save_trained(out / "mask_path.safetensors"))
    summary = {k: v for k, v in summary.items() if k != "history"} | {
        "device": str(device), "gpu": torch.cuda.get_device_name(0) if device.type == "cuda" else None,
        "batch_size": args.batch_size, "lr": args.lr, "wall_seconds": time.time() - t0,
        "last": summary["history"][-1] if summary["history"] else None}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    return 0


def _merge(args) -> int:
    folder = merge_trained(Path(args.init), Path(args.trained), Path(args.out) / "checkpoint")
    print(f"wrote {folder}")
    return 0


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m miras.device_train", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    pk = sub.add_parser("pack", help="here: extract [SEG] features and write the bundle")
    pk.add_argument("--init", required=True, help="MIRAS checkpoint whose LLM side gives the features")
    pk.add_argument("--data")
    pk.add_argument("--data-coco")
    pk.add_argument("--coco-split", action="append", default=None)
    pk.add_argument("--max-images", type=int, default=None, help="at most this many COCO images per split")
    pk.add_argument("--max-samples", type=int, default=None, help="the first N samples only (a smoke test)")
    pk.add_argument("--out", default="runs/device_bundle")
    pk.add_argument("--cache", default="runs/cache", help="SAM embedding cache (features go under CACHE/seg_features)")
    pk.add_argument("--heldout", type=int, default=16)
    pk.add_argument("--seed", type=int, default=0)
    pk.add_argument("--max-mb", type=float, default=60.0, help="refuse a bundle larger than this")
    pk.add_argument("--jpeg-quality", type=int, default=90)
    pk.add_argument("--image-format", choices=["jpeg", "png"], default="jpeg",
                    help="jpeg: JPEG sources travel as they are, others re-encoded; png: lossless (larger)")
    pk.add_argument("--point-head", action="store_true",
                    help="add an untrained [SEG] point head (miras.pointing) when --init has none; it trains there")
    pk.add_argument("--reset-decoder", action="store_true",
                    help="ship SAM's own prompt decoder instead of --init's (see python -m miras.train --help)")
    pk.add_argument("--device", default="cpu")
    tr = sub.add_parser("train", help="on the GPU: train the mask path on the bundle")
    tr.add_argument("--bundle", default="runs/device_bundle")
    tr.add_argument("--out", required=True)
    tr.add_argument("--minutes", type=float, default=7.0, help="wall-clock budget, loading included")
    tr.add_argument("--steps", type=int, default=20000, help="upper bound; the time budget usually decides")
    tr.add_argument("--batch-size", type=int, default=64)
    tr.add_argument("--lr", type=float, default=3e-4)
    tr.add_argument("--log-every", type=int, default=50)
    tr.add_argument("--eval-every", type=int, default=200)
    tr.add_argument("--save-every", type=int, default=500, help="write mask_path.safetensors every N steps")
    tr.add_argument("--point-only", action="store_true",
                    help="train only the point head (the bundle needs one: pack --point-head)")
    tr.add_argument("--embed-batch", type=int, default=8)
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--device", default=None)
    mg = sub.add_parser("merge", help="here: put the trained mask path into a copy of the checkpoint")
    mg.add_argument("--init", required=True)
    mg.add_argument("--trained", required=True, help="the mask_path.safetensors that train wrote (or its folder)")
    mg.add_argument("--out", required=True)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        return {"pack": _pack, "train": _train, "merge": _merge}[args.command](args)
    except (BundleError, CheckpointError, ConfigError, DataError, MissingWeightsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
