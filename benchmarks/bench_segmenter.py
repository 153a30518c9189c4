"""Benchmark the embedded MobileSAM segmenter (prints figures; not a test).

    python benchmarks/bench_segmenter.py [--images N] [--threads T] [--grid 16] [--runtime auto|onnx|torch]

Reports: encoder latency, decoder latency per prompt (1 box; 8 boxes batched), speed-up of a second prompt
on a cached image (embed again + decode vs first embed + decode), propose() time, peak RSS.
Goals: cached second prompt >= 10x faster than the first; decoder < 0.15 s a prompt.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.images import load_image  # noqa: E402
from tools.segmenters import build_segmenter  # noqa: E402
from tools.segmenters.embedding_cache import EMBEDDING_CACHE  # noqa: E402

PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "coco_tiny" / "val2017"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--grid", type=int, default=16)
    ap.add_argument("--no-propose", action="store_true")
    ap.add_argument("--runtime", default=None, help="auto (default: ONNX Runtime on CPU), onnx or torch")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    seg = build_segmenter("mobile_sam", num_threads=args.threads, runtime=args.runtime)
    print(f"model load: {time.perf_counter() - t0:.2f} s (runtime {seg.runtime})")
    paths = sorted(PHOTOS.glob("*.jpg"))[: args.images]
    enc, dec1, dec8, first, second, prop, nprop = [], [], [], [], [], [], []
    rng = np.random.default_rng(0)
    for path in paths:
        img = load_image(path)
        h, w = img.height, img.width
        EMBEDDING_CACHE.clear()
        box = np.array([w * 0.2, h * 0.2, w * 0.7, h * 0.8])
        t = time.perf_counter()
        emb = seg.embed(img)
        seg.segment(emb, boxes=box, multimask=True)
        first.append(time.perf_counter() - t)
        enc.append(emb.seconds)
        t = time.perf_counter()
        emb2 = seg.embed(img)
        seg.segment(emb2, boxes=box * 0.9, multimask=True)
        second.append(time.perf_counter() - t)
        dec1.append(seg.segment(emb, boxes=box, multimask=True).seconds)
        x0 = rng.uniform(0, w * 0.5, 8)
        y0 = rng.uniform(0, h * 0.5, 8)
        boxes = np.stack([x0, y0, x0 + w * 0.4, y0 + h * 0.4], 1)
        dec8.append(seg.segment(emb, boxes=boxes, multimask=True).seconds / 8)
        if not args.no_propose:
            EMBEDDING_CACHE.clear()
            t = time.perf_counter()
            props = seg.propose(img, points_per_side=args.grid)
            prop.append(time.perf_counter() - t)
            nprop.append(len(props))
        print(f"{path.name}: encoder {enc[-1]:.3f} s, first prompt {first[-1]:.3f} s, cached second {second[-1]:.4f} s, "
              f"decode 1 box {dec1[-1]:.3f} s, 8 boxes {dec8[-1]:.3f} s/prompt"
              + (f", propose {prop[-1]:.2f} s ({nprop[-1]} proposals)" if prop else ""))
    med = statistics.median
    print(f"\nmedian over {len(paths)} photos ({args.threads} threads):")
    print(f"  encoder (incl. preprocessing)   {med(enc):.3f} s")
    print(f"  decoder, 1 box (multimask)      {med(dec1):.3f} s / prompt")
    print(f"  decoder, 8 boxes batched        {med(dec8):.3f} s / prompt")
    print(f"  first prompt (embed + decode)   {med(first):.3f} s")
    print(f"  second prompt, cached image     {med(second):.4f} s  -> speed-up {med(first) / med(second):.1f}x")
    if prop:
        print(f"  propose {args.grid}x{args.grid} incl. encoder   {med(prop):.2f} s, {med(nprop)} proposals")
    print(f"  peak RSS                        {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
