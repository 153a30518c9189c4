"""Build a real-photo referring benchmark from a COCO instances folder (coco_tiny) in the dialogue-records format.

For each image of the split and each category:
  single    the category has exactly one non-crowd instance, of area >= 1% of the image (and no crowd region):
            "segment the <category>", and, when the category has an everyday name, a second record with it
            ("segment the motorbike")
  position  the category has 2-4 non-crowd instances and one of them is the leftmost / rightmost (centres at
            least 10% of the image width apart from the next) or topmost / bottommost (10% of the height), with
            area >= 1%: "segment the <category> on the left"
Every record is one scored turn; the reference mask is the COCO instance mask.

    DIR/dialogues.json   [{id, image: "images/<file>", dialogue: [{from, value}, {from, value, mask, target, phenomena}],
                           focus, tags}]
    DIR/images/<file>    the photo (copied, so the folder stands alone)
    DIR/masks/<id>.png   0/255 reference mask
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from pycocotools.coco import COCO

from tools.masks import save_mask_png

MIN_AREA_FRACTION = 0.01
SEPARATION = 0.10
# Everyday names for some categories, written for this benchmark (independent of the agent's vocabulary).
EVERYDAY_NAMES = {
    "motorcycle": "motorbike", "couch": "sofa", "tv": "television", "cell phone": "phone", "cup": "mug",
    "airplane": "plane", "bicycle": "bike", "donut": "doughnut", "refrigerator": "fridge", "potted plant": "plant",
    "laptop": "computer", "remote": "remote control", "sports ball": "ball", "wine glass": "glass",
    "hair drier": "hair dryer", "teddy bear": "teddy", "truck": "lorry", "boat": "ship", "tennis racket": "racket",
    "baseball glove": "mitt", "dining table": "table", "handbag": "purse", "person": "human", "car": "automobile",
    "dog": "puppy", "cat": "kitty", "bus": "coach", "oven": "stove",
}
SINGLE_TEMPLATES = ("Segment the {name}.", "Can you show me the {name}?", "Please highlight the {name} in this photo.",
                    "Where is the {name}? Mark it.")
POSITION_PHRASES = {"left": "on the left", "right": "on the right", "top": "at the top", "bottom": "at the bottom"}
POSITION_TEMPLATES = ("Segment the {name} {where}.", "Show me the {name} {where}.", "Highlight the {name} {where}, please.")


@dataclass
class ReferringTurn:
    """One benchmark record before writing: image file, request, target phrase, COCO annotation id, tags."""

    rec_id: str
    image_file: str
    request: str
    target: str
    ann_id: int
    tags: list[str]


def _centre(ann: dict) -> tuple[float, float]:
    x, y, w, h = ann["bbox"]
    return x + w / 2, y + h / 2


def _picks_one(anns: list[dict], width: int, height: int) -> list[tuple[str, dict]]:
    """(position word, annotation) for each extreme instance that a position word picks out unambiguously."""
    out = []
    for word, axis, sign, extent in (("left", 0, 1, width), ("right", 0, -1, width),
                                     ("top", 1, 1, height), ("bottom", 1, -1, height)):
        ranked = sorted(anns, key=lambda a: sign * _centre(a)[axis])
        gap = abs(_centre(ranked[1])[axis] - _centre(ranked[0])[axis]) / extent
        if gap >= SEPARATION:
            out.append((word, ranked[0]))
    return out


def referring_turns(coco: COCO, split: str) -> list[ReferringTurn]:
    """All benchmark turns of one COCO split, in image-id then category-id order (deterministic)."""
    turns: list[ReferringTurn] = []
    for img_id in sorted(coco.getImgIds()):
        info = coco.loadImgs(img_id)[0]
        width, height = info["width"], info["height"]
        anns = coco.loadAnns(coco.getAnnIds(imgIds=img_id))
        for cat_id in sorted({a["category_id"] for a in anns}):
            name = coco.loadCats(cat_id)[0]["name"]
            of_cat = [a for a in anns if a["category_id"] == cat_id]
            solid = [a for a in of_cat if not a.get("iscrowd")]
            big = [a for a in solid if a["area"] >= MIN_AREA_FRACTION * width * height]
            base = f"{split}-{img_id}-{cat_id}"
            k = len(turns)
            if len(solid) == 1 and len(of_cat) == 1 and big:
                turns.append(ReferringTurn(f"{base}-single", info["file_name"],
                                           SINGLE_TEMPLATES[k % len(SINGLE_TEMPLATES)].format(name=name),
                                           f"the {name}", big[0]["id"], ["category", "single"]))
                if name in EVERYDAY_NAMES:
                    other = EVERYDAY_NAMES[name]
                    turns.append(ReferringTurn(f"{base}-synonym", info["file_name"],
                                               SINGLE_TEMPLATES[(k + 1) % len(SINGLE_TEMPLATES)].format(name=other),
                                               f"the {other}", big[0]["id"], ["category", "single", "synonym"]))
            elif 2 <= len(solid) <= 4:
                for word, ann in _picks_one(solid, width, height):
                    if ann["area"] < MIN_AREA_FRACTION * width * height:
                        continue
                    where = POSITION_PHRASES[word]
                    template = POSITION_TEMPLATES[len(turns) % len(POSITION_TEMPLATES)]
                    turns.append(ReferringTurn(f"{base}-{word}", info["file_name"],
                                               template.format(name=name, where=where), f"the {name} {where}",
                                               ann["id"], ["category", "position", f"position_{word}"]))
    return turns


def write_benchmark(coco_root: str | Path, out: str | Path, split: str = "val2017",
                    progress: Callable[[int, int], None] | None = None) -> dict:
    """Write the benchmark folder; returns {"records": n, "single": n, "synonym": n, "position": n}."""
    coco_root, out = Path(coco_root), Path(out)
    ann_file = coco_root / "annotations" / f"instances_{split}.json"
    if not ann_file.is_file():
        raise FileNotFoundError(f"no COCO annotations at {ann_file}")
    coco = COCO(str(ann_file))
    turns = referring_turns(coco, split)
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "masks").mkdir(parents=True, exist_ok=True)
    records = []
    for i, t in enumerate(turns):
        image_rel = f"images/{t.image_file}"
        if not (out / image_rel).exists():
            shutil.copyfile(coco_root / split / t.image_file, out / image_rel)
        mask = coco.annToMask(coco.loadAnns(t.ann_id)[0]).astype(bool)
        mask_rel = f"masks/{t.rec_id}.png"
        save_mask_png(mask, out / mask_rel)
        records.append({"id": t.rec_id, "image": image_rel, "focus": t.target, "tags": list(t.tags),
                        "dialogue": [{"from": "human", "value": t.request},
                                     {"from": "gpt", "value": f"This is {t.target}.", "mask": mask_rel,
                                      "target": t.target, "phenomena": list(t.tags)}]})
        if progress:
            progress(i + 1, len(turns))
    (out / "dialogues.json").write_text(json.dumps(records, indent=1), encoding="utf-8")
    counts = {"records": len(records)}
    for tag in ("single", "synonym", "position"):
        counts[tag] = sum(tag in r["tags"] for r in records)
    return counts


