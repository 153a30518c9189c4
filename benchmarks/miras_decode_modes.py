"""Held-out mask IoU of a MIRAS checkpoint under each way of prompting SAM's decoder, as one JSON object.

    python benchmarks/miras_decode_modes.py --checkpoint runs/miras-point-sam/checkpoint --data runs/synth_train \
        --data-coco ../shared/data/coco_tiny --coco-split train2017 [--heldout 8] [--cache runs/cache]

The samples and held-out split are the mask stage's own (same flags as `python -m miras.train`, same seed), and
the [SEG] features come from its cache (extracted when missing). For every held-out [SEG] mask, low-res IoU
(logits > 0 on the decoder's grid) with the prompt made of:
    seg            the [SEG] token alone (the paper)
    seg+head       the [SEG] token and the point head's best cell (needs a point head)
    head           the point head's cell alone
    seg+teacher    the [SEG] token and a cell deep inside the target (what the point head could at best give)
    teacher        the teacher's cell alone
each decoded once with the checkpoint's decoder and once with SAM's own (`reset_decoder`), single-mask and as the
best-scored of three candidates. It shows whether a bad mask comes from where the prompt points or from the decoder.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv=None) -> int:
    import argparse

    import torch

    from miras.checkpoint import load_miras
    from miras.data.batch import Featurizer
    from miras.data.embed_cache import SamEmbeddingCache
    from miras.data.samples import split_heldout
    from miras.evaluate import lowres_iou
    from miras.mask_stage import collate, seg_items
    from miras.pointing import best_cells, interior_cells
    from miras.seg_features import SegFeatureStore
    from miras.train import gather_samples, parse_args

    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--checkpoint", required=True)
    pre.add_argument("--id-prefix", default="", help="score only held-out samples whose id starts with this (e.g. "
                     "train-s2: dialogues another run never trained on, for comparing two runs fairly)")
    extra, rest = pre.parse_known_args(argv)
    args = parse_args(["--stage", "mask", *rest])
    model = load_miras(extra.checkpoint)
    model.eval()
    _, held = split_heldout(gather_samples(args), args.heldout, args.seed)
    held = [s for s in held if s.id.startswith(extra.id_prefix)]
    cache_dir = Path(args.cache or "runs/cache")
    feat = Featurizer(model, SamEmbeddingCache(cache_dir, f"{model.cfg.seg.encoder}-{model.cfg.seg.image_size}"))
    features = SegFeatureStore(Path(args.features or cache_dir / "seg_features"), model, feat).features(held)
    items = seg_items(features)
    if not items:
        print("error: the held-out samples hold no [SEG] masks", file=sys.stderr)
        return 2
    scores: dict[str, list[float]] = {}
    for decoder in ("checkpoint", "sam"):
        if decoder == "sam":
            model.reset_decoder()
        with torch.no_grad():
            for start in range(0, len(items), 8):
                b = collate(features, items[start: start + 8], feat, model.device)
                prompts = model.prompts(b.seg, b.spans)
                none = prompts[:, :0]
                cells = {"teacher": interior_cells(b.targets, b.sam.shape[-1])}
                if model.pointer is not None:
                    cells["head"] = best_cells(model.point_logits(b.sam, b.seg, b.spans))
                modes = [("seg", prompts, None)]
                for name, c in cells.items():
                    modes += [(f"seg+{name}", prompts, c), (name, none, c)]
                for name, p, c in modes:
                    for best in (False, True):
                        if best and c is None:
                            continue
                        low, _ = model.decode_batch(b.sam, p, c, best_of_three=best)
                        key = f"{decoder} decoder, {name}{', best of 3' if best else ''}"
                        scores.setdefault(key, []).extend(lowres_iou(low.float(), b.targets).tolist())
    print(json.dumps({"checkpoint": extra.checkpoint, "id_prefix": extra.id_prefix, "heldout_samples": len(held),
                      "heldout_masks": len(items),
                      "mean_lowres_iou": {k: round(sum(v) / len(v), 4) for k, v in scores.items()}}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
