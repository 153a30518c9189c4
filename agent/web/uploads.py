"""Uploads and demo images.

`store_upload(path, folder)` checks an uploaded file (at most MAX_UPLOAD_BYTES, an image of at most MAX_PIXELS
pixels whose header PIL can read) and copies it to folder/<sha256 of the bytes>.<ext>, a path that outlives
Gradio's upload cache so the conversation can be reopened later. `demo_images(folder)` lists the demo pictures:
the project's rendered desk scene, scikit-image's coffee photo, and a few coco_tiny photos when the development
data is beside the checkout.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from agent.web.errors import WebInputError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff")
COCO_DEMOS = ("000000491008.jpg", "000000454661.jpg")  # two people at a table with a pizza; cars in a street


def _size_text(n: float) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{int(n)} bytes"


def store_upload(path: str | os.PathLike, folder: str | os.PathLike, max_bytes: int | None = None) -> Path:
    """A checked, persistent copy of an uploaded image; WebInputError / ImageError (one line) otherwise."""
    from PIL import Image, UnidentifiedImageError

    from tools.images import ImageError

    max_bytes = MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    src = Path(path)
    if not src.is_file():
        raise WebInputError("the upload did not arrive; try again")
    size = src.stat().st_size
    if size > max_bytes:
        raise WebInputError(f"{src.name} is {_size_text(size)}; the upload limit is {_size_text(max_bytes)}")
    try:
        with Image.open(src) as img:
            w, h = img.size
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ImageError(f"{src.name}: not a readable image ({type(exc).__name__})") from None
    if w * h > MAX_PIXELS:
        raise WebInputError(f"{src.name} is {w}x{h} ({w * h / 1e6:.0f} MP); the limit is {MAX_PIXELS / 1e6:.0f} MP")
    digest = hashlib.sha256(src.read_bytes()).hexdigest()[:24]
    suffix = src.suffix.lower() if src.suffix.lower() in IMAGE_SUFFIXES else ".img"
    dest = Path(folder) / f"{digest}{suffix}"
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_suffix(dest.suffix + ".part")
        shutil.copyfile(src, tmp)
        tmp.replace(dest)
    return dest


def demo_images(folder: str | os.PathLike) -> dict[str, Path]:
    """name -> image file for the demo picker (files written once under folder)."""
    from PIL import Image

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    desk = folder / "desk_scene.png"
    try:
        if not desk.exists():
            from agent.demo import render_desk

            Image.fromarray(render_desk()).save(desk)
        out["desk scene (drawn: mug, EXIT sign, book, ball)"] = desk
    except Exception:  # matplotlib fonts missing: no drawn demo
        pass
    coffee = folder / "coffee.png"
    try:
        if not coffee.exists():
            from agent.demo import coffee_photo

            Image.fromarray(coffee_photo()).save(coffee)
        out["coffee cup (scikit-image photo)"] = coffee
    except Exception:
        pass
    coco = Path(os.environ.get("PIXELRIST_SHARED_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data")
    for name in COCO_DEMOS:
        photo = coco / "coco_tiny" / "val2017" / name
        if photo.exists():
            out[f"coco_tiny {name}"] = photo
    return out
