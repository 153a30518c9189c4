"""Unique referring expressions and facts for objects of a synthetic scene.

`refer(scene, obj, rng) -> (phrase, cue) | None` picks at random among the descriptions that single out `obj`
(cue: "category", "color", "position", "size" or "text_cue"); None when nothing simple is unique.
"""
from __future__ import annotations

import numpy as np

from evals.synth.scene import Scene, SceneObject
from tools.masks import bbox, position_words

NOUNS = {"mug": ["mug", "cup"], "bottle": ["bottle"], "jar": ["jar"], "carton": ["carton", "package"],
         "sign": ["sign", "signboard"], "circle": ["circle", "disc"], "oval": ["oval", "ellipse"],
         "rectangle": ["rectangle", "block"], "rounded box": ["rounded box"], "triangle": ["triangle"],
         "star": ["star"]}


def noun(obj: SceneObject, rng: np.random.Generator) -> str:
    return str(rng.choice(NOUNS[obj.category]))


def position_of(scene: Scene, mask: np.ndarray) -> str:
    return position_words(bbox(mask), scene.width, scene.height)


def size_rank(scene: Scene, obj: SceneObject, among: list[SceneObject]) -> str | None:
    """"largest"/"smallest" when obj is clearly (1.3x) the largest/smallest of `among` (2+ objects)."""
    if len(among) < 2:
        return None
    areas = sorted((o.area, o.oid) for o in among)
    if areas[-1][1] == obj.oid and areas[-1][0] >= 1.3 * areas[-2][0]:
        return "largest"
    if areas[0][1] == obj.oid and areas[1][0] >= 1.3 * areas[0][0]:
        return "smallest"
    return None


def refer(scene: Scene, obj: SceneObject, rng: np.random.Generator,
          avoid: tuple[str, ...] = ()) -> tuple[str, str] | None:
    same_cat = [o for o in scene.objects if o.category == obj.category]
    n = noun(obj, rng)
    options: list[tuple[str, str]] = []
    if len(same_cat) == 1:
        options.append((f"the {n}", "category"))
    if sum(o.color == obj.color for o in same_cat) == 1:
        options.append((f"the {obj.color} {n}", "color"))
    pos = position_of(scene, obj.mask)
    if sum(position_of(scene, o.mask) == pos for o in same_cat) == 1 and len(same_cat) > 1:
        where = "in the center" if pos == "center" else f"on the {pos}"
        options.append((f"the {n} {where}", "position"))
    rank = size_rank(scene, obj, same_cat)
    if rank:
        options.append((f"the {rank} {n}", "size"))
    if obj.word:
        options.append((str(rng.choice([f"the {n} that says {obj.word}", f"the {n} with '{obj.word}' on it",
                                        f"the {n} reading \"{obj.word}\""])), "text_cue"))
    preferred = [o for o in options if o[1] not in avoid] or options
    if not preferred:
        return None
    return preferred[int(rng.integers(len(preferred)))]


def neighbours(scene: Scene, obj: SceneObject) -> list[tuple[str, SceneObject]]:
    """(direction, object) pairs where one object is clearly the nearest to obj in that direction."""
    cx, cy = obj.centroid()
    found = []
    for direction in ("left", "right", "above", "below"):
        cands = []
        for o in scene.objects:
            if o.oid == obj.oid:
                continue
            ox, oy = o.centroid()
            dx, dy = ox - cx, oy - cy
            along = {"left": -dx, "right": dx, "above": -dy, "below": dy}[direction]
            across = abs(dy) if direction in ("left", "right") else abs(dx)
            if along > 20 and across < along * 0.7:
                cands.append((float(np.hypot(dx, dy)), o))
        cands.sort(key=lambda t: t[0])
        if cands and (len(cands) == 1 or cands[1][0] > 1.5 * cands[0][0]):
            found.append((direction, cands[0][1]))
    return found
