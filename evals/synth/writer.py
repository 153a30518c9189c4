"""Write a synthetic split in the dialogue-records format (format 2):

    DIR/dialogues.json   [{id, image: "images/<id>.png", dialogue: [{from, value, mask?, target?}], focus, tags, scene}]
    DIR/images/<id>.png  rendered scene (RGB)
    DIR/masks/<id>_t<k>.png  0/255 reference mask of human turn k (1-based), only on mask turns
    DIR/manifest.json    {split, seed, n, scene_sha256: [...]} for disjointness checks

Record i of (seed, split) is drawn from numpy.random.default_rng([seed, SPLIT_INDEX[split], i, attempt]):
dialogue length is 2 + i % 4 (2-5 human turns, balanced); the same seed gives identical bytes, a larger --n extends a smaller one, and splits use separate streams
(a scene hash repeated across splits would be refused by `check_disjoint`).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

from evals.errors import EvalError
from evals.synth.dialogues import make_dialogue
from evals.synth.scene import Scene, make_scene
from tools.masks import save_mask_png

SPLIT_INDEX = {"train": 0, "val": 1, "test": 2}


def scene_hash(pixels: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(pixels).tobytes() + str(pixels.shape).encode()).hexdigest()


def generate_record(seed: int, split: str, index: int) -> tuple[str, Scene, list[dict], str, list[str]]:
    """(record id, scene, turns, focus, tags) for one index; deterministic."""
    if split not in SPLIT_INDEX:
        raise EvalError(f"split must be one of {', '.join(SPLIT_INDEX)}, got {split!r}")
    for attempt in range(20):
        rng = np.random.default_rng([int(seed), SPLIT_INDEX[split], int(index), attempt])
        scene = make_scene(rng)
        if len(scene.objects) < 2:
            continue
        try:
            turns, focus, tags = make_dialogue(scene, rng, 2 + int(index) % 4)  # lengths 2-5, balanced
        except ValueError:
            continue
        return f"{split}-s{seed}-{index:05d}", scene, turns, focus, tags
    raise EvalError(f"could not generate record {index} of split {split} (seed {seed})")


def scene_record(scene: Scene) -> dict:
    return {"width": scene.width, "height": scene.height, "background": scene.background,
            "objects": [{"id": o.oid, "category": o.category, "color": o.color, "texture": o.texture,
                         "box": list(o.box), "parts": {k: o.part_colors.get(k) for k in o.parts},
                         "word": o.word, "word_color": o.word_color} for o in scene.objects]}


def write_split(out: str | Path, n: int, seed: int, split: str,
                progress: Callable[[int], None] | None = None) -> dict:
    """Generate and write n records; returns the manifest."""
    out = Path(out)
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "masks").mkdir(parents=True, exist_ok=True)
    records, hashes = [], []
    seen: set[str] = set()
    for index in range(n):
        rec_id, scene, turns, focus, tags = generate_record(seed, split, index)
        digest = scene_hash(scene.pixels)
        if digest in seen:
            raise EvalError(f"scene {rec_id} repeats an earlier scene of this split")
        seen.add(digest)
        hashes.append(digest)
        image_rel = f"images/{rec_id}.png"
        Image.fromarray(scene.pixels).save(out / image_rel, optimize=False, compress_level=6)
        dialogue = []
        for k, turn in enumerate(turns, start=1):
            dialogue.append({"from": "human", "value": turn["human"]})
            gpt = {"from": "gpt", "value": turn["gpt"]}
            if turn["mask"] is not None:
                mask_rel = f"masks/{rec_id}_t{k}.png"
                save_mask_png(turn["mask"], out / mask_rel)
                gpt["mask"] = mask_rel
                gpt["target"] = turn["target"]
            gpt["phenomena"] = turn["phenomena"]
            dialogue.append(gpt)
        records.append({"id": rec_id, "image": image_rel, "dialogue": dialogue, "focus": focus, "tags": tags,
                        "scene": scene_record(scene)})
        if progress:
            progress(index + 1)
    (out / "dialogues.json").write_text(json.dumps(records, indent=1), encoding="utf-8")
    manifest = {"split": split, "seed": int(seed), "n": int(n), "scene_sha256": hashes}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def check_disjoint(folders: list[str | Path]) -> None:
    """Raise EvalError when two split folders share a scene (by manifest hashes)."""
    owner: dict[str, str] = {}
    for folder in folders:
        manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
        for digest in manifest["scene_sha256"]:
            if digest in owner and owner[digest] != str(folder):
                raise EvalError(f"scene {digest[:12]} appears in both {owner[digest]} and {folder}")
            owner[digest] = str(folder)
