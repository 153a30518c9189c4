"""Command line: segment an image from box or point prompts.

    python -m tools.segment IMAGE (--box X0,Y0,X1,Y1 ... | --point X,Y ...) [--out DIR] [--json]
                           [--segmenter NAME] [--model-path DIR] [--segmenter-runtime auto|onnx|torch] [--single]

Each --box gives one mask; all --point clicks together give one mask (prefix a click with '-' for a
background click, e.g. --point=-120,40). Writes mask_<i>.png and overlay.png into --out; --json prints
COCO RLE, bbox, area, score and timings. Bad input: one-line error on stderr, exit status 2.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np


def _numbers(text: str, count: int, what: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) != count:
        raise ValueError(f"--{what} expects {count} comma-separated numbers, got {text!r}")
    return values


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from tools.segmenters.runtime import RUNTIME_OPTION, RUNTIMES

    ap = argparse.ArgumentParser(prog="python -m tools.segment", description=__doc__.split("\n\n")[0])
    ap.add_argument("image")
    ap.add_argument("--box", action="append", default=[], help="X0,Y0,X1,Y1 in image pixels (repeatable)")
    ap.add_argument("--point", action="append", default=[], help="X,Y foreground click; -X,Y background (repeatable)")
    ap.add_argument("--out", default=None, help="folder for mask PNGs and overlay.png")
    ap.add_argument("--json", action="store_true", help="print results as JSON")
    ap.add_argument("--segmenter", default="mobile_sam", help="mobile_sam (default), sam, sam2, sam_pth")
    ap.add_argument("--model-path", default=None, help="model folder (sam, sam2) or .pth file (sam_pth)")
    ap.add_argument("--" + RUNTIME_OPTION.replace("_", "-"), choices=RUNTIMES, default=None,
                    help="mobile_sam on ONNX Runtime or torch (default auto: ONNX Runtime on CPU, torch on CUDA)")
    ap.add_argument("--single", action="store_true", help="one mask per prompt instead of best of three")
    return ap.parse_args(argv)


def run(args: argparse.Namespace) -> dict:
    from tools.images import load_image
    from tools.masks import bbox, encode_rle, save_mask_png
    from tools.overlay import save_overlay
    from tools.segmenters import build_segmenter
    from tools.segmenters.runtime import RUNTIME_OPTION, segmenter_options

    if not args.box and not args.point:
        raise ValueError("give at least one --box or --point")
    image = load_image(args.image)
    boxes = np.array([_numbers(b, 4, "box") for b in args.box], np.float32) if args.box else None
    points = labels = None
    if args.point:
        pts = []
        labels = []
        for p in args.point:
            bg = p.startswith("-")
            pts.append(_numbers(p[1:] if bg else p, 2, "point"))
            labels.append(0 if bg else 1)
        points = np.array([pts], np.float32)
        labels = np.array([labels])
        if boxes is not None and len(boxes) > 1:
            raise ValueError("--point can be combined with one --box only")
    t0 = time.perf_counter()
    kwargs = {"path": args.model_path} if args.model_path else {}
    kwargs.update(segmenter_options(args.segmenter, getattr(args, RUNTIME_OPTION, None)))
    seg = build_segmenter(args.segmenter, **kwargs)
    t_load = time.perf_counter() - t0
    emb = seg.embed(image)
    res = seg.segment(emb, boxes=boxes, points=points, point_labels=labels, multimask=not args.single)
    masks, scores = res.best()
    out = {"image": str(args.image), "size": [image.width, image.height], "segmenter": args.segmenter,
           "timings": {"load_s": round(t_load, 3), "embed_s": round(emb.seconds, 3), "decode_s": round(res.seconds, 3)},
           "masks": []}
    folder = Path(args.out) if args.out else None
    for i, (mask, score) in enumerate(zip(masks, scores)):
        rec = {"index": i, "score": round(float(score), 4), "area": int(mask.sum()), "bbox": bbox(mask), "rle": encode_rle(mask)}
        if folder is not None:
            rec["png"] = str(save_mask_png(mask, folder / f"mask_{i}.png"))
        out["masks"].append(rec)
    if folder is not None:
        out["overlay"] = str(save_overlay(image.pixels, list(masks), folder / "overlay.png"))
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        result = run(args)
    except Exception as exc:  # expected failures (bad image, bad prompt, missing weights): one line, exit 2
        from tools.images import ImageError
        from tools.masks import MaskError
        from tools.segmenters import PromptError, UnknownSegmenterError
        from tools.weights import MissingWeightsError

        if not isinstance(exc, (ImageError, MaskError, PromptError, UnknownSegmenterError, MissingWeightsError, ValueError, OSError)):
            raise
        print(f"error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result))
    else:
        for m in result["masks"]:
            print(f"mask {m['index']}: score {m['score']:.3f}, area {m['area']} px, bbox {m['bbox']}" + (f" -> {m['png']}" if "png" in m else ""))
        if "overlay" in result:
            print(f"overlay: {result['overlay']}")
        t = result["timings"]
        print(f"timings: load {t['load_s']} s, embed {t['embed_s']} s, decode {t['decode_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
