"""Command line: ground a text query in an image and print the candidate regions.

    python -m tools.ground IMAGE "query" [--grounder ocr|proposals|haar|detector|nanodet|centernet|
                                          grounding_dino|owlv2]
                           [--model-path DIR] [--top K] [--json] [--out DIR]

Prints one line per region (id, label, box, score, descriptors) or, with --json, a JSON list of
Region records. --out DIR writes DIR/<image stem>_ground.png: an overlay of the top regions (their masks,
or their boxes when a grounder gives no mask). Bad input exits with status 2 and a one-line error.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from tools.grounders import DETECTOR_ALIASES, GROUNDERS, GrounderError, build_grounder
from tools.images import ImageError, load_image
from tools.regions import Region
from tools.weights import MissingWeightsError

_DESCRIPTOR_KEYS = ("position", "size", "colors", "shape", "area_rank", "text", "cascade", "line", "match",
                    "category")


def region_mask(region: Region, height: int, width: int) -> np.ndarray:
    """The region's mask, or its box filled as a mask when it has none."""
    if region.mask is not None:
        return region.mask
    m = np.zeros((height, width), bool)
    x0, y0, x1, y1 = (int(round(v)) for v in region.box)
    m[max(0, y0):max(0, y1), max(0, x0):max(0, x1)] = True
    return m


def format_region(r: Region) -> str:
    box = "[" + ", ".join(f"{v:.0f}" for v in r.box) + "]"
    extras = []
    for key in _DESCRIPTOR_KEYS:
        value = r.attributes.get(key)
        if value not in (None, "", [], {}):
            extras.append(f"{key}={value}")
    return f"{r.id or '-':>4}  {r.label:<24} box={box:<24} score={r.score:.3f}  " + " ".join(extras)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m tools.ground", description="Find regions for a text query in an image.")
    p.add_argument("image", help="image file (JPEG, PNG, ...)")
    p.add_argument("query", help='what to find, e.g. "the text EXIT" or "the red thing on the left"')
    p.add_argument("--grounder", default="ocr", choices=GROUNDERS + DETECTOR_ALIASES,
                   help="which grounder (default: ocr; detector = NanoDet COCO-80, centernet = the opt-in one)")
    p.add_argument("--model-path", default=None, help="local model folder (grounding_dino, owlv2)")
    p.add_argument("--top", type=int, default=10, help="how many regions to show (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON records instead of text lines")
    p.add_argument("--out", default=None, help="folder for an overlay PNG of the top regions")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        image = load_image(args.image)
        kwargs = {"path": args.model_path} if args.grounder in ("grounding_dino", "owlv2") else {}
        grounder = build_grounder(args.grounder, **kwargs)
        regions = grounder.ground(image, args.query)[: max(args.top, 0)]
    except (ImageError, GrounderError, MissingWeightsError, ValueError, OSError) as exc:
        print(f"error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([r.to_record() for r in regions], indent=2, default=str))
    elif not regions:
        print(f"no regions found for {args.query!r} with the {args.grounder} grounder")
    else:
        for r in regions:
            print(format_region(r))
    if args.out:
        from tools.overlay import save_overlay

        out = Path(args.out) / f"{Path(args.image).stem}_ground.png"
        masks = [region_mask(r, image.height, image.width) for r in regions[:5]]
        save_overlay(image.pixels, masks, out, labels=[f"{r.id} {r.label}" for r in regions[:5]])
        print(f"overlay: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
