"""Image loading and validation.

`load_image` accepts a path, bytes, a PIL image or a numpy array and returns a `LoadedImage`:
an RGB uint8 array of shape (H, W, 3) at the original (EXIF-corrected) size, plus its content hash.
Anything that is not a usable image raises `ImageError` with a one-line message.
"""
from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

Image.MAX_IMAGE_PIXELS = 400_000_000  # allow large photos; we guard explicitly below

MAX_PIXELS = 200_000_000  # refuse anything larger than 200 MP (about 14k x 14k)
MIN_SIDE = 8

ImageInput = Union[str, os.PathLike, bytes, Image.Image, np.ndarray, "LoadedImage"]


class ImageError(ValueError):
    """An input that cannot be used as an image; the message is one line for the user."""


@dataclass(frozen=True)
class LoadedImage:
    """An RGB image ready for models.

    pixels: uint8 array (H, W, 3), original resolution after EXIF orientation.
    sha256: hex digest of the decoded pixels (the key of the embedding cache).
    path: where it came from, if it came from a file.
    """

    pixels: np.ndarray
    sha256: str
    path: str | None = None
    notes: tuple[str, ...] = field(default=())  # conversions applied, e.g. "rgba->rgb", "16-bit->8-bit"

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def size(self) -> tuple[int, int]:
        """(width, height), PIL order."""
        return self.width, self.height

    def to_pil(self) -> Image.Image:
        return Image.fromarray(self.pixels)


def pixels_sha256(pixels: np.ndarray) -> str:
    h = hashlib.sha256()
    h.update(str(pixels.shape).encode())
    h.update(np.ascontiguousarray(pixels).tobytes())
    return h.hexdigest()


def _to_uint8_rgb(arr: np.ndarray, notes: list[str]) -> np.ndarray:
    """Convert an array of shape (H, W), (H, W, 1|2|3|4) and any integer/float dtype to uint8 RGB."""
    if arr.ndim == 2:
        arr = arr[:, :, None]
        notes.append("gray->rgb")
    if arr.ndim != 3 or arr.shape[2] not in (1, 2, 3, 4):
        raise ImageError(f"unsupported image array shape {tuple(arr.shape)}; expected (H, W), (H, W, 3) or (H, W, 4)")
    if arr.dtype == np.bool_:
        arr = arr.astype(np.uint8) * 255
    elif arr.dtype == np.uint16 or (np.issubdtype(arr.dtype, np.integer) and arr.dtype.itemsize > 1):
        arr = arr.astype(np.float64)
        top = 65535.0 if arr.max() > 255 else 255.0
        arr = np.clip(np.round(arr / top * 255.0), 0, 255).astype(np.uint8)
        notes.append("16-bit->8-bit")
    elif np.issubdtype(arr.dtype, np.floating):
        if not np.isfinite(arr).all():
            raise ImageError("image array contains NaN or infinite values")
        top = 1.0 if arr.max() <= 1.0 else 255.0
        arr = np.clip(np.round(arr / top * 255.0), 0, 255).astype(np.uint8)
        notes.append("float->8-bit")
    elif arr.dtype != np.uint8:
        arr = arr.astype(np.uint8)
    channels = arr.shape[2]
    if channels in (2, 4):  # gray+alpha or RGBA: composite on white
        alpha = arr[:, :, -1:].astype(np.float32) / 255.0
        color = arr[:, :, :-1].astype(np.float32)
        arr = np.round(color * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)
        notes.append("alpha->white")
        channels -= 1
    if channels == 1:
        arr = np.repeat(arr, 3, axis=2)
    return np.ascontiguousarray(arr)


def _pil_to_rgb_array(img: Image.Image, notes: list[str]) -> np.ndarray:
    try:
        transposed = ImageOps.exif_transpose(img)
        if transposed is not None and transposed is not img:
            if transposed.size != img.size or (img.getexif() or {}).get(0x0112, 1) != 1:
                notes.append("exif-rotated")
            img = transposed
    except Exception:  # broken EXIF must not make the image unusable
        pass
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        arr = np.asarray(img).astype(np.uint32)
        return _to_uint8_rgb(arr.astype(np.uint16) if arr.max() <= 65535 else arr, notes)
    if mode == "F":
        return _to_uint8_rgb(np.asarray(img, dtype=np.float32), notes)
    if mode == "P":
        img = img.convert("RGBA")
        mode = "RGBA"
    if mode == "CMYK" or mode == "YCbCr" or mode == "LAB" or mode == "HSV":
        img = img.convert("RGB")
        notes.append(f"{mode.lower()}->rgb")
        mode = "RGB"
    if mode == "1":
        img = img.convert("L")
        mode = "L"
    if mode == "LA" or mode == "La":
        return _to_uint8_rgb(np.asarray(img.convert("LA")), notes)
    if mode in ("RGBA", "RGBa"):
        return _to_uint8_rgb(np.asarray(img.convert("RGBA")), notes)
    if mode == "L":
        return _to_uint8_rgb(np.asarray(img), notes)
    if mode != "RGB":
        img = img.convert("RGB")
    return np.ascontiguousarray(np.asarray(img))


def _open_pil(source: bytes | str | os.PathLike, label: str) -> Image.Image:
    try:
        img = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
        w, h = img.size
        if w * h > MAX_PIXELS:
            raise ImageError(f"{label}: image is {w}x{h} ({w * h / 1e6:.0f} MP), above the {MAX_PIXELS / 1e6:.0f} MP limit")
        img.load()
        return img
    except ImageError:
        raise
    except FileNotFoundError:
        raise ImageError(f"{label}: no such file") from None
    except IsADirectoryError:
        raise ImageError(f"{label}: is a folder, not an image file") from None
    except PermissionError:
        raise ImageError(f"{label}: permission denied") from None
    except UnidentifiedImageError:
        raise ImageError(f"{label}: not an image (JPEG, PNG, WebP, BMP, TIFF or GIF expected)") from None
    except Image.DecompressionBombError:
        raise ImageError(f"{label}: image is too large to decode safely") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"{label}: unreadable or truncated image ({str(exc).splitlines()[0][:120]})") from None


def load_image(source: ImageInput) -> LoadedImage:
    """Load any supported input as a `LoadedImage` (RGB uint8, original size, EXIF applied).

    Raises ImageError (one line) for missing files, non-images, truncated data, empty or absurd sizes.
    """
    if isinstance(source, LoadedImage):
        return source
    notes: list[str] = []
    path: str | None = None
    if isinstance(source, np.ndarray):
        if source.size == 0:
            raise ImageError("image array is empty")
        pixels = _to_uint8_rgb(source, notes)
    elif isinstance(source, Image.Image):
        pixels = _pil_to_rgb_array(source, notes)
    elif isinstance(source, bytes):
        if not source:
            raise ImageError("image bytes are empty")
        pixels = _pil_to_rgb_array(_open_pil(source, "<bytes>"), notes)
    elif isinstance(source, (str, os.PathLike)):
        path = str(source)
        p = Path(path)
        if not p.exists():
            raise ImageError(f"{path}: no such file")
        if p.is_dir():
            raise ImageError(f"{path}: is a folder, not an image file")
        if p.stat().st_size == 0:
            raise ImageError(f"{path}: file is empty")
        pixels = _pil_to_rgb_array(_open_pil(path, path), notes)
    else:
        raise ImageError(f"cannot load an image from {type(source).__name__}")
    h, w = pixels.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise ImageError(f"image is {w}x{h}; both sides must be at least {MIN_SIDE} px")
    if h * w > MAX_PIXELS:
        raise ImageError(f"image is {w}x{h}, above the {MAX_PIXELS / 1e6:.0f} MP limit")
    return LoadedImage(pixels=pixels, sha256=pixels_sha256(pixels), path=path, notes=tuple(notes))


def resize_longest_side(pixels: np.ndarray, target: int) -> np.ndarray:
    """Resize (H, W, C) uint8 so that max(H, W) == target, keeping aspect (bilinear, antialiased)."""
    h, w = pixels.shape[:2]
    scale = target / max(h, w)
    new_w, new_h = max(1, int(round(w * scale))), max(1, int(round(h * scale)))
    if (new_w, new_h) == (w, h):
        return pixels
    return np.asarray(Image.fromarray(pixels).resize((new_w, new_h), Image.BILINEAR))


def downscale_for_model(image: LoadedImage, max_side: int) -> tuple[np.ndarray, float]:
    """Return pixels with max side <= max_side and the factor (model px per original px)."""
    h, w = image.pixels.shape[:2]
    if max(h, w) <= max_side:
        return image.pixels, 1.0
    small = resize_longest_side(image.pixels, max_side)
    return small, small.shape[1] / w
