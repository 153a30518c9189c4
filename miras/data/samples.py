"""Training samples: dialogue records with PNG masks (format 2) and COCO "segment the <category>" samples.

A `Sample` is one dialogue on one image: turns = [(human, reply, mask or None)], where reply is the text MIRAS is
trained to produce ("[OBJ] target [SEG] text" for a mask turn, see miras.tokens.assistant_reply) and mask is a
`MaskRef` that loads a bool (H, W) array on demand.

Format 2 (`DIR/dialogues.json`): [{id, image: "images/x.png", dialogue: [{from: human|gpt, value, mask?, target?}],
focus?, tags?}]; masks are 0/255 PNGs relative to DIR. A mask turn's target is its "target", else the focus.
`split_heldout(samples, n, seed)` sets n samples aside (never trained on) for held-out mask IoU during training.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from miras.tokens import assistant_reply


class DataError(ValueError):
    """A dataset folder or record that cannot be read."""


@dataclass
class MaskRef:
    """A reference mask: a PNG path, or a COCO annotation (segmentation + image size)."""

    path: Path | None = None
    coco: dict | None = None
    size: tuple[int, int] | None = None

    def load(self) -> np.ndarray:
        if self.path is not None:
            from tools.masks import load_mask_png

            return load_mask_png(self.path)
        from pycocotools import mask as mask_utils

        h, w = self.size
        seg = self.coco
        if isinstance(seg, list):
            rles = mask_utils.frPyObjects(seg, h, w)
            rle = mask_utils.merge(rles)
        elif isinstance(seg.get("counts"), list):
            rle = mask_utils.frPyObjects(seg, h, w)
        else:
            rle = seg
        return mask_utils.decode(rle).astype(bool)


@dataclass
class Sample:
    id: str
    image: Path
    turns: list[tuple[str, str, MaskRef | None]]
    targets: list[str | None]

    @property
    def n_masks(self) -> int:
        return sum(1 for _, _, m in self.turns if m is not None)


def _inside(root: Path, rel: str, what: str) -> Path:
    path = (root / rel).resolve()
    if root.resolve() not in path.parents:
        raise DataError(f"{what} {rel!r} escapes the dataset folder")
    if not path.is_file():
        raise DataError(f"{what} {rel!r} not found in {root}")
    return path


def read_dialogues(folder: str | Path) -> list[Sample]:
    """Samples from a format-2 folder (or its JSON file); records without an image are skipped."""
    path = Path(folder)
    json_path = path / "dialogues.json" if path.is_dir() else path
    if not json_path.is_file():
        raise DataError(f"no dialogues.json in {folder}")
    root = json_path.parent
    try:
        items = json.loads(json_path.read_text())
    except json.JSONDecodeError as exc:
        raise DataError(f"{json_path}: not JSON ({exc.msg})") from None
    samples = []
    for n, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("dialogue"), list):
            raise DataError(f"{json_path} record {n}: needs a 'dialogue' list")
        if not item.get("image"):
            continue
        image = _inside(root, item["image"], "image")
        focus = item.get("focus") if isinstance(item.get("focus"), str) else None
        turns, targets, human = [], [], None
        for entry in item["dialogue"]:
            who, value = entry.get("from"), str(entry.get("value", ""))
            if who == "human":
                human = value
                continue
            if who != "gpt" or human is None:
                raise DataError(f"{json_path} record {n}: turns must alternate human, gpt")
            mask = MaskRef(path=_inside(root, entry["mask"], "mask")) if entry.get("mask") else None
            target = entry.get("target") if isinstance(entry.get("target"), str) else focus
            turns.append((human, assistant_reply(value, target, mask is not None), mask))
            targets.append(target if mask is not None else None)
            human = None
        if turns:
            samples.append(Sample(str(item.get("id", n)), image, turns, targets))
    return samples


_COCO_ASKS = ["Segment the {c}.", "Please segment the {c} in this image.", "Where is the {c}?",
              "Can you show me the {c}?", "Find the {c} and give me its mask.", "segment the {c}"]


def coco_samples(folder: str | Path, min_area_fraction: float = 0.005, seed: int = 0,
                 max_images: int | None = None, splits: list[str] | None = None) -> list[Sample]:
    """Stage-1 samples from a COCO folder (annotations/instances_*.json + image folders): one single-turn
    "segment the <category>" sample per (image, category) with exactly one non-crowd instance.
    splits: only these (e.g. ["train2017"], keeping val2017 for the COCO referring benchmark); None: all."""
    root = Path(folder)
    ann_files = sorted((root / "annotations").glob("instances_*.json"))
    if splits is not None:
        ann_files = [f for f in ann_files if f.stem.replace("instances_", "") in splits]
    if not ann_files:
        raise DataError(f"no annotations/instances_*.json in {root}" + (f" for splits {splits}" if splits else ""))
    rng = random.Random(seed)
    samples: list[Sample] = []
    for ann_file in ann_files:
        data = json.loads(ann_file.read_text())
        cats = {c["id"]: c["name"] for c in data["categories"]}
        split = ann_file.stem.replace("instances_", "")
        per_image: dict[int, dict[int, list[dict]]] = {}
        crowd: set[tuple[int, int]] = set()
        for a in data["annotations"]:
            if a.get("iscrowd"):
                crowd.add((a["image_id"], a["category_id"]))
                continue
            per_image.setdefault(a["image_id"], {}).setdefault(a["category_id"], []).append(a)
        images = sorted(data["images"], key=lambda im: im["id"])
        if max_images is not None:
            images = images[:max_images]
        for im in images:
            path = root / split / im["file_name"]
            if not path.is_file():
                continue
            h, w = im["height"], im["width"]
            for cat_id, anns in sorted(per_image.get(im["id"], {}).items()):
                if len(anns) != 1 or (im["id"], cat_id) in crowd or anns[0]["area"] < min_area_fraction * h * w:
                    continue
                name = cats[cat_id]
                ask = rng.choice(_COCO_ASKS).format(c=name)
                reply = assistant_reply(f"Here is the {name}.", f"the {name}", True)
                mask = MaskRef(coco=anns[0]["segmentation"], size=(h, w))
                samples.append(Sample(f"coco-{im['id']}-{cat_id}", path, [(ask, reply, mask)], [f"the {name}"]))
    return samples


def split_heldout(samples: list[Sample], n: int, seed: int = 0) -> tuple[list[Sample], list[Sample]]:
    """(train, heldout): n samples with masks set aside by a seeded draw (at most all but one sample), never
    trained on. Both training stages use it, so with the same samples and seed they hold aside the same ones."""
    with_masks = [i for i, s in enumerate(samples) if s.n_masks]
    n = max(0, min(n, len(with_masks), len(samples) - 1))
    held = set(random.Random(seed * 7919 + 17).sample(with_masks, n))
    return ([s for i, s in enumerate(samples) if i not in held], [s for i, s in enumerate(samples) if i in held])
