"""Draw every COCO instance of one coco_tiny photo with its annotation id, for people writing dev-set dialogues.

    python -m evals.real_dev.show val2017/000000547336.jpg --coco ../shared/data/coco_tiny --out /tmp/ids.png
prints one line per instance: id, category, box (x, y, w, h), area share, crowd.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from evals.real_dev.build import load_coco
from tools.overlay import color_for, render_overlay


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.real_dev.show", description=__doc__)
    parser.add_argument("image", help="split/file, e.g. val2017/000000547336.jpg")
    parser.add_argument("--coco", default="../shared/data/coco_tiny")
    parser.add_argument("--out", required=True, help="PNG to write")
    args = parser.parse_args(argv)
    root = Path(args.coco)
    split, name = args.image.split("/", 1)
    coco = load_coco(root, split)
    info = coco.loadImgs(int(Path(name).stem))[0]
    anns = coco.loadAnns(coco.getAnnIds(imgIds=info["id"]))
    pixels = np.asarray(Image.open(root / args.image).convert("RGB"))
    masks = [coco.annToMask(a).astype(bool) for a in anns]
    img = Image.fromarray(render_overlay(pixels, masks, alpha=0.3))
    draw = ImageDraw.Draw(img)
    total = info["width"] * info["height"]
    for i, ann in enumerate(anns):
        x, y, w, h = ann["bbox"]
        label = f"{ann['id']} {coco.cats[ann['category_id']]['name']}"
        draw.rectangle([x, y, x + draw.textlength(label) + 4, y + 12], fill=color_for(i))
        draw.text((x + 2, y), label, fill=(0, 0, 0))
        print(f"{ann['id']}\t{coco.cats[ann['category_id']]['name']}\tbox {[round(v) for v in ann['bbox']]}\t"
              f"area {ann['area'] / total:.3f}" + ("\tCROWD" if ann.get("iscrowd") else ""))
    img.save(args.out)
    print(f"wrote {args.out} ({info['width']}x{info['height']})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
