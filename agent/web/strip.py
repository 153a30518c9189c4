"""The strip of earlier turns: one small overlay per turn (an answer turn shows the plain picture), captioned
"N: target", written once per (image, turn, mask) as a PNG under a cache folder and reused on later turns.

`strip_items(pixels, sha256, history, folder) -> [(path, caption)]`, in turn order.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
from PIL import Image

from agent.state import TurnRecord

THUMB_SIDE = 160


def _key(sha256: str, record: TurnRecord) -> str:
    rle = record.get("rle")
    mask_key = hashlib.sha1(json.dumps(rle, sort_keys=True, default=str).encode()).hexdigest()[:12] if rle else "none"
    return f"{sha256[:16]}_{int(record.get('turn', 0)):03d}_{mask_key}.png"


def _base(pixels: np.ndarray, side: int) -> tuple[np.ndarray, float]:
    import cv2

    h, w = pixels.shape[:2]
    scale = side / float(max(h, w))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA), scale


def thumbnail(pixels: np.ndarray, record: TurnRecord, side: int = THUMB_SIDE) -> np.ndarray:
    import cv2

    from tools.masks import decode_rle
    from tools.overlay import render_overlay

    small, _ = _base(pixels, side)
    if not record.get("rle"):
        return (small * 0.6 + 255 * 0.4).astype(np.uint8)  # faded: an answer, no mask of its own
    mask = decode_rle(record["rle"]).astype(np.uint8)
    m = cv2.resize(mask, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_NEAREST) > 0
    return render_overlay(small, [m], outline=1)


def caption(record: TurnRecord) -> str:
    user = str(record.get("user") or "")
    what = record.get("target") or user
    label = what if record.get("rle") else f"answer: {user}"
    return f"{record.get('turn')}: {label[:40]}"


def strip_items(pixels: np.ndarray, sha256: str, history: list[TurnRecord], folder: str | Path) -> list[tuple[str, str]]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    items = []
    for record in history:
        path = folder / _key(sha256, record)
        if not path.exists():
            Image.fromarray(thumbnail(pixels, record)).save(path)
        items.append((str(path), caption(record)))
    return items
