"""MobileSAM on torch vs ONNX Runtime, measured in one run (prints figures; not a test).

    python benchmarks/bench_onnx.py [--images N] [--threads T] [--prompts K]

On N coco_tiny val photos, for both runtimes, interleaved photo by photo: encoder seconds (incl. preprocessing),
decoder seconds a prompt for K box prompts one call each (unbatched) and all K in one call (batched), each as
low-res logits only and as `segment()` (masks at image size, best first), and the mask IoU between the runtimes.
Prints medians and the torch / ONNX ratios. The first ONNX build exports the model once (its time is printed).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.images import load_image  # noqa: E402
from tools.masks import iou  # noqa: E402
from tools.segmenters import build_segmenter  # noqa: E402
from tools.segmenters.prompts import normalise_prompts  # noqa: E402

PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "coco_tiny" / "val2017"
RUNTIMES = ("torch", "onnx")


def boxes_for(img, k: int, rng) -> np.ndarray:
    """k random boxes, 20-60 % of each side, inside the image: (k, 4) [x0, y0, x1, y1]."""
    w, h = img.width, img.height
    bw, bh = rng.uniform(0.2, 0.6, k) * w, rng.uniform(0.2, 0.6, k) * h
    x0, y0 = rng.uniform(0, 1, k) * (w - bw), rng.uniform(0, 1, k) * (h - bh)
    return np.stack([x0, y0, x0 + bw, y0 + bh], 1)


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def measure(seg, img, boxes: np.ndarray) -> dict:
    """Seconds of one photo: encoder, decoder per prompt (low-res / segment(), unbatched / batched); masks."""
    emb, enc = timed(lambda: seg._encode(img))
    prompts = normalise_prompts(boxes).scaled(emb.original_size, emb.input_size)
    k = len(boxes)
    feats = emb.features
    low1 = sum(timed(lambda: seg.decode_low_res(feats, prompts.take(i, i + 1), True))[1] for i in range(k)) / k
    lowk = timed(lambda: seg.decode_low_res(feats, prompts, True))[1] / k
    seg1 = sum(seg.segment(emb, boxes=b).seconds for b in boxes) / k
    res = seg.segment(emb, boxes=boxes)
    return {"encoder": enc, "low_1": low1, "low_k": lowk, "seg_1": seg1, "seg_k": res.seconds / k,
            "masks": res.best()[0]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--prompts", type=int, default=8, help="box prompts per photo (K)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    segs = {}
    for rt in RUNTIMES:
        seg, secs = timed(lambda: build_segmenter("mobile_sam", runtime=rt, num_threads=args.threads))
        segs[rt] = seg
        print(f"{rt}: built in {secs:.2f} s (runtime {seg.runtime})")
    paths = sorted(PHOTOS.glob("*.jpg"))[: args.images]
    rng = np.random.default_rng(0)
    warm = load_image(paths[0])
    for seg in segs.values():  # warm-up: first calls allocate
        measure(seg, warm, boxes_for(warm, 2, rng))
    rows: dict[str, list[dict]] = {rt: [] for rt in RUNTIMES}
    ious = []
    for path in paths:
        img = load_image(path)
        boxes = boxes_for(img, args.prompts, rng)
        for rt in RUNTIMES:
            rows[rt].append(measure(segs[rt], img, boxes))
        ious += [iou(a, b) for a, b in zip(rows["onnx"][-1]["masks"], rows["torch"][-1]["masks"])]
        t, o = rows["torch"][-1], rows["onnx"][-1]
        print(f"{path.name}: encoder torch {t['encoder']:.3f} s / onnx {o['encoder']:.3f} s; segment() a prompt "
              f"batched torch {t['seg_k']:.4f} s / onnx {o['seg_k']:.4f} s")

    def med(rt: str, key: str) -> float:
        return statistics.median(r[key] for r in rows[rt])

    print(f"\nmedians over {len(paths)} photos, {args.prompts} box prompts each, {args.threads} threads "
          f"(multimask, seconds; ratio = torch / onnx):")
    print(f"  {'':44s} {'torch':>8s} {'onnx':>8s} {'ratio':>6s}")
    for key, label in (("encoder", "encoder incl. preprocessing"),
                       ("low_1", "decoder a prompt, unbatched (low-res logits)"),
                       ("low_k", f"decoder a prompt, batched x{args.prompts} (low-res)"),
                       ("seg_1", "segment() a prompt, unbatched (image size)"),
                       ("seg_k", f"segment() a prompt, batched x{args.prompts}")):
        t, o = med("torch", key), med("onnx", key)
        print(f"  {label:44s} {t:8.4f} {o:8.4f} {t / o:5.2f}x")
    for rt in RUNTIMES:
        print(f"  {rt}: batched / unbatched segment() a prompt: {med(rt, 'seg_1') / med(rt, 'seg_k'):.2f}x faster")
    print(f"  mask IoU onnx vs torch (best mask of each box): mean {np.mean(ious):.4f}, min {np.min(ious):.4f}")


if __name__ == "__main__":
    main()
