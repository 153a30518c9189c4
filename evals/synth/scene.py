"""Render one synthetic scene: several coloured, textured objects (some overlapping, some with parts and
printed words) on a varied background, with exact visible masks per object and per part.

`make_scene(rng) -> Scene`. Masks are the visible pixels (occlusion by objects drawn later is removed).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evals.synth.palette import BACKGROUNDS, COLORS, TEXTURES, background, texture_fill
from evals.synth.shapes import ASPECT, CATEGORIES, SIMPLE, WITH_PARTS, draw_object, word_mask

WORDS = ("EXIT", "STOP", "OPEN", "SALE", "CAFE", "TAXI", "MILK", "SOAP", "RICE", "TEA", "JAM", "SALT", "HOTEL",
         "PARK", "BOOKS", "FRESH", "ICE", "OIL", "POST", "ZOO", "BANK", "FARM", "BUS", "FOOD")
DARK = {"red", "blue", "green", "purple", "brown", "black", "gray"}
MIN_VISIBLE = 0.5  # every object keeps at least half of its pixels visible
MIN_PART_PIXELS = 60


@dataclass
class SceneObject:
    """One object. mask/parts are visible bool (H, W) masks; full_area counts pixels before occlusion."""

    oid: int
    category: str
    color: str
    texture: str
    box: tuple[int, int, int, int]
    mask: np.ndarray
    full_area: int
    parts: dict[str, np.ndarray] = field(default_factory=dict)
    part_colors: dict[str, str] = field(default_factory=dict)
    word: str | None = None
    word_color: str | None = None

    @property
    def area(self) -> int:
        return int(self.mask.sum())

    def centroid(self) -> tuple[float, float]:
        ys, xs = np.nonzero(self.mask)
        return float(xs.mean()), float(ys.mean())


@dataclass
class Scene:
    width: int
    height: int
    pixels: np.ndarray
    objects: list[SceneObject]
    background: str


def _part_colors(category: str, color: str, rng: np.random.Generator) -> dict[str, str]:
    others = [c for c in COLORS if c != color]
    if category == "mug":
        return {"body": color, "handle": color}
    if category == "bottle":
        return {"body": color, "cap": str(rng.choice(others))}
    if category == "jar":
        return {"body": color, "lid": str(rng.choice(others))}
    if category == "carton":
        return {"label": "white" if color != "white" else "yellow"}
    if category == "sign":
        return {"board": color, "post": "gray" if color != "gray" else "black"}
    return {}


def _pick_categories(rng: np.random.Generator, n: int) -> list[str]:
    cats = [str(c) for c in rng.choice(CATEGORIES, size=n, replace=True)]
    if rng.random() < 0.6 and n >= 3:  # a same-category pair (for corrections and "the other one")
        cats[1] = cats[0]
    if not any(c in WITH_PARTS for c in cats) and rng.random() < 0.85:
        cats[-1] = str(rng.choice(list(WITH_PARTS)))
    if not any(c in ("carton", "sign") for c in cats) and rng.random() < 0.6:
        cats[-2 if n > 2 else -1] = str(rng.choice(["carton", "sign"]))
    return cats


def _propose_box(rng, category, height, width, boxes) -> tuple[int, int, int, int]:
    lo, hi = ASPECT[category]
    h = int(rng.uniform(0.2, 0.42) * height)
    w = int(h * rng.uniform(lo, hi))
    if category in ("circle", "star"):
        w = h
    w = min(w, int(width * 0.45))
    if boxes and rng.random() < 0.35:  # overlap an earlier object
        bx, by, bw, bh = boxes[int(rng.integers(len(boxes)))]
        x0 = int(bx + bw * rng.uniform(0.45, 0.8))
        y0 = int(by + bh * rng.uniform(-0.3, 0.4))
    else:
        x0, y0 = int(rng.integers(0, max(1, width - w))), int(rng.integers(0, max(1, height - h)))
    return int(np.clip(x0, 0, width - w)), int(np.clip(y0, 0, height - h)), w, h


def make_scene(rng: np.random.Generator) -> Scene:
    width, height = int(rng.choice([512, 576, 640])), int(rng.choice([384, 448, 480]))
    bg_kind = str(rng.choice(BACKGROUNDS))
    pixels = background(bg_kind, height, width, rng)
    cats = _pick_categories(rng, int(rng.integers(3, 7)))
    words = [str(w) for w in rng.permutation(WORDS)]
    placed: list[dict] = []
    for category in cats:
        for _ in range(40):
            box = _propose_box(rng, category, height, width, [p["box"] for p in placed])
            geo = draw_object(category, box, height, width)
            ok = True
            for p in placed:  # the new object is on top: earlier ones must stay visible enough
                vis = p["visible"] & ~geo["whole"]
                if vis.sum() < MIN_VISIBLE * p["full_area"] or any(
                        (m & vis).sum() < max(MIN_PART_PIXELS, 0.5 * m.sum()) for m in p["parts_full"].values()):
                    ok = False
                    break
            if ok and all(m.sum() >= MIN_PART_PIXELS for m in geo["parts"].values()):
                break
        else:
            continue
        for p in placed:
            p["visible"] = p["visible"] & ~geo["whole"]
        color = str(rng.choice(list(COLORS)))
        placed.append({"category": category, "box": box, "visible": geo["whole"].copy(), "whole": geo["whole"],
                       "parts_full": geo["parts"], "full_area": int(geo["whole"].sum()), "color": color,
                       "texture": str(rng.choice(TEXTURES)) if category in SIMPLE or rng.random() < 0.3 else "solid"})
    objects = []
    for oid, p in enumerate(placed):
        fill = texture_fill(COLORS[p["color"]], p["texture"], height, width, rng)
        pixels[p["whole"]] = fill[p["whole"]]
        part_colors = _part_colors(p["category"], p["color"], rng)
        for name, m in p["parts_full"].items():
            if part_colors.get(name, p["color"]) != p["color"]:
                pixels[m] = COLORS[part_colors[name]]
        word = word_color = None
        if p["category"] in ("carton", "sign"):
            word = words.pop()
            region = p["parts_full"]["label" if p["category"] == "carton" else "board"]
            under = part_colors["label" if p["category"] == "carton" else "board"]
            word_color = "white" if under in DARK else "black"
            pixels[word_mask(word, region)] = COLORS[word_color]
        objects.append(SceneObject(
            oid=oid, category=p["category"], color=p["color"], texture=p["texture"], box=p["box"],
            mask=p["visible"], full_area=p["full_area"],
            parts={k: m & p["visible"] for k, m in p["parts_full"].items()}, part_colors=part_colors,
            word=word, word_color=word_color))
    return Scene(width=width, height=height, pixels=pixels, objects=objects, background=bg_kind)
