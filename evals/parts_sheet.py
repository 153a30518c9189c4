"""A contact sheet to look at: the agent's "only their head" and "their legs" masks on people of real photos.

    python -m evals.parts_sheet --coco ../shared/data/coco_tiny --n 20 --out runs/parts_sheet.png

For the first N coco_tiny photos (val2017, then train2017) whose largest person covers at least 3% of the image,
one row: the person the agent segments for "segment the person", then "only their head", then "their legs" (the
same conversation), each as an overlay with the answer's first words. No reference masks exist for parts, so the
sheet is for eyes: count the rows whose head and legs look right.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from evals.contact_sheet import _font
from tools.overlay import render_overlay

TURNS = ("segment the person", "only their head", "their legs")
PANEL_H = 200
CAPTION_H = 34
MIN_PERSON_SHARE = 0.03


def people_photos(coco_root: Path, n: int) -> list[Path]:
    """The first `n` photos whose largest person instance covers >= MIN_PERSON_SHARE of the image."""
    from pycocotools.coco import COCO

    found: list[Path] = []
    for split in ("val2017", "train2017"):
        coco = COCO(str(coco_root / "annotations" / f"instances_{split}.json"))
        for image_id in sorted(coco.getImgIds(catIds=[1])):
            info = coco.loadImgs(image_id)[0]
            areas = [a["area"] for a in coco.loadAnns(coco.getAnnIds(imgIds=image_id, catIds=[1], iscrowd=False))]
            if areas and max(areas) >= MIN_PERSON_SHARE * info["width"] * info["height"]:
                found.append(coco_root / split / info["file_name"])
            if len(found) == n:
                return found
    return found


def _panel(pixels: np.ndarray, mask: np.ndarray | None, caption: str, font) -> Image.Image:
    shown = Image.fromarray(pixels if mask is None else render_overlay(pixels, [mask]))
    shown = shown.resize((max(1, round(shown.width * PANEL_H / shown.height)), PANEL_H), Image.BILINEAR)
    tile = Image.new("RGB", (shown.width, PANEL_H + CAPTION_H), "white")
    tile.paste(shown, (0, 0))
    ImageDraw.Draw(tile).text((4, PANEL_H + 4), caption[:60], fill=(40, 40, 40), font=font)
    return tile


def parts_rows(photos: list[Path], progress=None) -> list[list[Image.Image]]:
    """Per photo, the three overlay tiles of TURNS (a tile without a mask shows the photo and the answer)."""
    from agent.session import Session

    font, rows = _font(12), []
    for i, photo in enumerate(photos):
        session = Session(photo, db_path=":memory:")
        tiles = []
        for turn in TURNS:
            result = session.ask(turn)
            tiles.append(_panel(session.image.pixels, result.mask, f"{turn}: {result.text}", font))
        session.close()
        rows.append(tiles)
        if progress is not None:
            progress(i + 1, len(photos))
    return rows


def write_sheet(rows: list[list[Image.Image]], path: Path) -> Path:
    """Rows of tiles stacked into one PNG at `path`."""
    width = max(sum(t.width for t in row) for row in rows)
    height = sum(max(t.height for t in row) for row in rows)
    sheet = Image.new("RGB", (width, height), "white")
    y = 0
    for row in rows:
        x = 0
        for tile in row:
            sheet.paste(tile, (x, y))
            x += tile.width
        y += max(t.height for t in row)
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.parts_sheet", description=__doc__.splitlines()[0])
    parser.add_argument("--coco", required=True, help="COCO root with annotations/ and the split folders (coco_tiny)")
    parser.add_argument("--n", type=int, default=20, help="how many photos (rows)")
    parser.add_argument("--out", default="runs/parts_sheet.png", help="PNG to write")
    args = parser.parse_args(argv)
    root = Path(args.coco)
    if not (root / "annotations").is_dir():
        print(f"error: {root} has no annotations/ folder (expected a COCO root such as coco_tiny)", file=sys.stderr)
        return 2
    photos = people_photos(root, args.n)
    rows = parts_rows(photos, progress=lambda i, n: print(f"\r{i}/{n} photos", end="", file=sys.stderr))
    print(f"\nwrote {write_sheet(rows, Path(args.out))} ({len(rows)} people)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
