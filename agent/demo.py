"""`python -m agent.demo [--out DIR]`: a scripted multi-turn chat on two images, written as PNGs.

Image 1 is a desk scene the project renders itself (a red mug with a handle, a green EXIT sign, a blue book,
a yellow ball); image 2 is scikit-image's bundled `coffee.png` photo (it ships inside the scikit-image wheel).
Per turn the mask PNG, an overlay PNG and a JSON record go to DIR/<image>/, and DIR/demo_sheet.png shows
every turn's overlay with its request, so the whole conversation can be judged at a glance.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont

DESK_TURNS = [
    "Segment the sign that says EXIT.",
    "What is under it?",
    "Now the red mug on the left.",
    "Only its handle.",
    "What colour is the mug?",
    "Show me the biggest blue thing.",
]
PHOTO_TURNS = [
    "Segment the thing in the middle of the picture.",
    "Just the top half of it.",
    "How big is it?",
]


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_manager.findfont("DejaVu Sans:bold"), size)


def render_desk(width: int = 640, height: int = 420) -> np.ndarray:
    """(H, W, 3) uint8: a light wall, a wooden table band and four objects at fixed places."""
    rng = np.random.default_rng(7)
    img = Image.new("RGB", (width, height), (236, 232, 222))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 300, width, height], fill=(176, 132, 88))  # table
    d.rectangle([70, 150, 190, 290], fill=(200, 35, 35))  # mug body
    d.ellipse([185, 180, 245, 260], outline=(200, 35, 35), width=14)  # handle
    d.rectangle([400, 40, 580, 110], fill=(30, 150, 70))  # EXIT sign
    d.text((425, 50), "EXIT", fill=(255, 255, 255), font=_font(44))
    d.rectangle([390, 200, 600, 290], fill=(40, 70, 200))  # book
    d.rectangle([390, 285, 600, 292], fill=(240, 240, 240))  # its pages
    d.ellipse([270, 230, 330, 290], fill=(240, 205, 30))  # ball
    arr = np.asarray(img).astype(np.int16) + rng.integers(-6, 7, (height, width, 1))
    return np.clip(arr, 0, 255).astype(np.uint8)


def coffee_photo() -> np.ndarray:
    from skimage import data

    return np.asarray(data.coffee())


def contact_sheet(rows: list[tuple[str, str, Path | None]], path: Path, thumb: int = 320) -> Path:
    """One tile per turn: the overlay (or a blank tile for answer-only turns) with the request and answer."""
    font, small = _font(13), ImageFont.truetype(font_manager.findfont("DejaVu Sans"), 11)
    cols = 3
    tile_h = thumb * 3 // 4 + 70
    sheet = Image.new("RGB", (cols * thumb, ((len(rows) + cols - 1) // cols) * tile_h), "white")
    d = ImageDraw.Draw(sheet)
    for i, (request, answer, overlay) in enumerate(rows):
        x, y = (i % cols) * thumb, (i // cols) * tile_h
        if overlay is not None and Path(overlay).exists():
            im = Image.open(overlay).convert("RGB")
            im.thumbnail((thumb - 8, thumb * 3 // 4))
            sheet.paste(im, (x + 4, y + 4))
        else:
            d.rectangle([x + 4, y + 4, x + thumb - 4, y + thumb * 3 // 4], fill=(240, 240, 240))
            d.text((x + 12, y + 12), "(answer only, no mask)", fill=(90, 90, 90), font=small)
        d.text((x + 6, y + thumb * 3 // 4 + 8), f"{i + 1}. {request}"[:48], fill="black", font=font)
        words, line, lines = answer.split(), "", []
        for word in words:
            if len(line) + len(word) > 52:
                lines.append(line)
                line = ""
            line += word + " "
        lines.append(line)
        for k, text in enumerate(lines[:3]):
            d.text((x + 6, y + thumb * 3 // 4 + 26 + 13 * k), text, fill=(60, 60, 60), font=small)
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    return path


def run_demo(out: Path, log=print) -> Path:
    from agent.session import Session

    rows: list[tuple[str, str, Path | None]] = []
    for name, pixels, turns in (("desk", render_desk(), DESK_TURNS), ("coffee", coffee_photo(), PHOTO_TURNS)):
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        image_path = folder / "image.png"
        Image.fromarray(pixels).save(image_path)
        session = Session(str(image_path), db_path=out / "demo.sqlite", out_dir=folder,
                          progress=lambda m: log(f"  .. {m}"))
        log(f"== {name} ({image_path}), thread {session.thread_id}")
        for text in turns:
            result = session.ask(text)
            overlay = result.extra.get("overlay_path")
            log(f"user: {text}\nagent: {result.text}\n  ({result.timings.get('total', 0.0):.2f} s"
                + (f", overlay {overlay})" if overlay else ")"))
            rows.append((text, result.text, Path(overlay) if overlay else None))
    sheet = contact_sheet(rows, out / "demo_sheet.png")
    log(f"wrote {sheet}")
    return sheet


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agent.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/demo", help="output folder (default runs/demo)")
    args = parser.parse_args(argv)
    try:
        run_demo(Path(args.out))
    except Exception as exc:  # one line for the user, not a traceback
        print(f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
