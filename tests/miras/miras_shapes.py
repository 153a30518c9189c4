"""Tiny synthetic format-2 data for MIRAS tests: coloured shapes on noise, 0/255 PNG masks, 2-turn dialogues."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

COLOURS = {"red": (220, 30, 30), "blue": (30, 60, 220), "green": (30, 180, 60)}


def _shape_mask(kind: str, h: int, w: int, cy: int, cx: int, r: int) -> np.ndarray:
    yy, xx = np.mgrid[:h, :w]
    if kind == "circle":
        return (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
    return (abs(yy - cy) <= r) & (abs(xx - cx) <= r)


def write_shapes(folder: Path, n: int = 6, size: tuple[int, int] = (48, 64), seed: int = 0) -> Path:
    """n images, each with a red circle (left half) and a blue square (right half); dialogue: circle, then square."""
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    (folder / "images").mkdir(parents=True, exist_ok=True)
    (folder / "masks").mkdir(parents=True, exist_ok=True)
    h, w = size
    records = []
    for i in range(n):
        img = rng.integers(90, 140, size=(h, w, 3), dtype=np.uint8)
        r = int(rng.integers(6, 10))
        circle = _shape_mask("circle", h, w, int(rng.integers(r, h - r)), int(rng.integers(r, w // 2 - 2)), r)
        square = _shape_mask("square", h, w, int(rng.integers(r, h - r)), int(rng.integers(w // 2 + r, w - r)), r)
        img[circle] = COLOURS["red"]
        img[square] = COLOURS["blue"]
        Image.fromarray(img).save(folder / "images" / f"s{i}.png")
        for name, m in (("c", circle), ("q", square)):
            Image.fromarray((m * 255).astype(np.uint8)).save(folder / "masks" / f"s{i}_{name}.png")
        records.append({
            "id": f"s{i}", "image": f"images/s{i}.png", "focus": "the blue square", "tags": ["test"],
            "dialogue": [
                {"from": "human", "value": "segment the red circle"},
                {"from": "gpt", "value": "Here it is.", "mask": f"masks/s{i}_c.png", "target": "the red circle"},
                {"from": "human", "value": "now the square"},
                {"from": "gpt", "value": "Done.", "mask": f"masks/s{i}_q.png", "target": "the blue square"},
            ],
        })
    (folder / "dialogues.json").write_text(json.dumps(records))
    return folder
