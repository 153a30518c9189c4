"""Region proposals: seconds, decoder prompts and best-match IoU against COCO instance masks, per grid setting.

    python benchmarks/bench_proposals.py [--images 20] [--threads 2] [--coco ../shared/data/coco_tiny]

Photos: half of them the most crowded of coco_tiny (most instances), half from the middle of that order. Each
photo is encoded once (not timed); then every setting runs `propose()` on the cached embedding, one after the
other, so the ratios come from one run:
  grid16         every unanswered point of a 16 x 16 grid, in batches of 64 (the setting before seeds and budget)
  seeds_budget   the default of tools.grounders.proposals.ProposalGrounder: the detector's boxes scoring >= 0.3
                 (the 20 most confident) as box prompts first, then at most 80 points of the 16 x 16 grid, in
                 batches of 16
  budget         the same budget without the seeds
  seeds_budget_batch16  the default with 16 prompts a decoder call instead of the CPU's 4 (the same prompts and
                 masks: only the memory each call walks through differs)
Best-match IoU: for every non-crowd instance of at least 0.1% (and 1%) of the photo, the IoU of the proposal that
overlaps it best, averaged. Prints one JSON object.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.grounders.proposals import MAX_GRID_PROMPTS, POINTS_PER_SIDE  # noqa: E402

SETTINGS = {  # name -> (seed with the detector's confident boxes, keyword arguments of propose())
    "grid16": (False, {"points_per_side": 16, "points_per_batch": 64}),
    "seeds_budget": (True, {"points_per_side": POINTS_PER_SIDE, "max_prompts": MAX_GRID_PROMPTS}),
    "budget": (False, {"points_per_side": POINTS_PER_SIDE, "max_prompts": MAX_GRID_PROMPTS}),
    "seeds_budget_batch16": (True, {"points_per_side": POINTS_PER_SIDE, "max_prompts": MAX_GRID_PROMPTS,
                                    "prompts_per_batch": 16}),
}


def photos(coco_root: Path, count: int) -> list[tuple[object, dict, Path]]:
    """(COCO api, image info, path): the count // 2 most crowded photos, then the middle of the crowding order."""
    from pycocotools.coco import COCO

    items = []
    for split in ("val", "train"):
        ann = coco_root / "annotations" / f"instances_{split}2017.json"
        if not ann.is_file():
            continue
        with contextlib.redirect_stdout(io.StringIO()):
            coco = COCO(str(ann))
        for iid in coco.getImgIds():
            info = coco.loadImgs(iid)[0]
            items.append((len(coco.getAnnIds(imgIds=iid, iscrowd=False)), iid, coco, info,
                          coco_root / f"{split}2017" / info["file_name"]))
    if not items:
        raise SystemExit(f"no COCO annotations under {coco_root}; pass --coco")
    items.sort(key=lambda t: (-t[0], t[1]))
    mid = len(items) // 2
    chosen = items[: count // 2] + items[mid : mid + count - count // 2]
    return [(coco, info, path) for _, _, coco, info, path in chosen]


def best_match(proposals, truth: list[np.ndarray], min_frac: float) -> list[float]:
    """For each truth mask of at least min_frac of the photo, the best IoU of any proposal."""
    out = []
    for t in truth:
        if t.sum() < min_frac * t.size:
            continue
        out.append(max((float((t & p.mask).sum() / (t | p.mask).sum()) for p in proposals), default=0.0))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--coco", default=str(ROOT.parent / "shared" / "data" / "coco_tiny"))
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    from tools import backends
    from tools.images import load_image

    seg = backends.segmenter("mobile_sam")
    grounder = backends.grounder("proposals", segmenter=seg)  # its seed boxes: the detector's confident ones
    prompts = [0]
    decode = seg.decode_low_res
    default_batch = seg.prompts_per_batch

    def counted(feats, batch, multimask):
        prompts[0] += batch.n
        return decode(feats, batch, multimask)

    seg.decode_low_res = counted
    rows = {name: {"seconds": [], "prompts": [], "proposals": [], "best": [], "best_1pct": []} for name in SETTINGS}
    chosen = photos(Path(args.coco), args.images)
    for k, (coco, info, path) in enumerate(chosen, 1):
        img = load_image(path)
        seg.embed(img)
        anns = coco.loadAnns(coco.getAnnIds(imgIds=info["id"], iscrowd=False))
        truth = [coco.annToMask(a).astype(bool) for a in anns]
        seeds = grounder.seed_boxes(img)
        for name, (seeded, options) in SETTINGS.items():
            prompts[0] = 0
            options = dict(options)
            seg.prompts_per_batch = options.pop("prompts_per_batch", default_batch)
            t = time.perf_counter()
            props = seg.propose(img, seed_boxes=seeds if seeded else None, **options)
            r = rows[name]
            r["seconds"].append(time.perf_counter() - t)
            r["prompts"].append(prompts[0])
            r["proposals"].append(len(props))
            r["best"] += best_match(props, truth, 0.001)
            r["best_1pct"] += best_match(props, truth, 0.01)
        print(f"[{k}/{len(chosen)}] {path.name}: " + ", ".join(
            f"{n} {rows[n]['seconds'][-1]:.2f} s / {rows[n]['prompts'][-1]} prompts" for n in SETTINGS),
            file=sys.stderr, flush=True)
    base = statistics.median(rows["grid16"]["seconds"])
    out = {"photos": len(chosen), "threads": args.threads, "runtime": seg.runtime, "settings": {}}
    for name, r in rows.items():
        med = statistics.median(r["seconds"])
        out["settings"][name] = {
            "median_s": round(med, 3), "max_s": round(max(r["seconds"]), 3),
            "speedup_vs_grid16": round(base / max(med, 1e-9), 2),
            "prompts_median": statistics.median(r["prompts"]), "prompts_max": max(r["prompts"]),
            "proposals_mean": round(statistics.fmean(r["proposals"]), 1),
            "best_iou": round(statistics.fmean(r["best"]), 3),
            "best_iou_1pct": round(statistics.fmean(r["best_1pct"]), 3),
            "instances": len(r["best"]),
        }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
