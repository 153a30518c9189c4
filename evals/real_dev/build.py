"""Build the dev set's dataset folder (dialogue-records format) from the spec and a COCO root (coco_tiny).

    OUT/dialogues.json   [{id, image: "images/<file>", tags, focus, dialogue: [{from: human, value},
                           {from: gpt, value, mask?, target?, answer?, phenomena}]}]
    OUT/images/<file>    the photo (copied, so the folder stands alone)
    OUT/masks/<id>-t<i>.png   0/255 union of the turn's COCO instance masks (all zero for an "absent" turn)
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable

import numpy as np
from pycocotools.coco import COCO

from evals.real_dev.spec import SPEC_PATH, SpecDialogue, SpecError, SpecTurn, load_spec
from tools.masks import save_mask_png


def _reference_text(turn: SpecTurn) -> str:
    """A short reference reply for the text metrics: the target phrase, the expected answer, or nothing to do."""
    if turn.answer:
        return turn.answer[0]
    if turn.ann == []:
        return "I don't see that in this photo."
    if turn.target:
        return f"This is {turn.target}."
    return "OK."


def _union_mask(coco: COCO, dialogue: SpecDialogue, turn_index: int, ann_ids: list[int]) -> np.ndarray:
    info = coco.loadImgs(int(Path(dialogue.file_name).stem))[0]
    mask = np.zeros((info["height"], info["width"]), bool)
    for ann_id in ann_ids:
        if ann_id not in coco.anns:
            raise SpecError(f"dialogue {dialogue.id!r} turn {turn_index}: no COCO annotation {ann_id}")
        ann = coco.anns[ann_id]
        if ann["image_id"] != info["id"]:
            raise SpecError(f"dialogue {dialogue.id!r} turn {turn_index}: annotation {ann_id} is on image "
                            f"{ann['image_id']}, not {info['id']}")
        if ann.get("iscrowd"):
            raise SpecError(f"dialogue {dialogue.id!r} turn {turn_index}: annotation {ann_id} is a crowd region")
        mask |= coco.annToMask(ann).astype(bool)
    return mask


def load_coco(coco_root: Path, split: str) -> COCO:
    ann_file = coco_root / "annotations" / f"instances_{split}.json"
    if not ann_file.is_file():
        raise FileNotFoundError(f"no COCO annotations at {ann_file}")
    return COCO(str(ann_file))


def write_dev_set(coco_root: str | Path, out: str | Path, spec_path: str | Path = SPEC_PATH,
                  progress: Callable[[int, int], None] | None = None) -> dict:
    """Write the dataset folder; returns counts {"dialogues", "turns", "scored", "absent", "questions"}."""
    coco_root, out = Path(coco_root), Path(out)
    dialogues = load_spec(spec_path)
    cocos: dict[str, COCO] = {}
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "masks").mkdir(parents=True, exist_ok=True)
    records = []
    for n, dialogue in enumerate(dialogues):
        if dialogue.split not in cocos:
            cocos[dialogue.split] = load_coco(coco_root, dialogue.split)
        coco = cocos[dialogue.split]
        source = coco_root / dialogue.image
        if not source.is_file():
            raise SpecError(f"dialogue {dialogue.id!r}: no photo {source}")
        image_rel = f"images/{dialogue.file_name}"
        if not (out / image_rel).exists():
            shutil.copyfile(source, out / image_rel)
        entries: list[dict] = []
        for i, turn in enumerate(dialogue.turns):
            entries.append({"from": "human", "value": turn.say})
            gpt: dict = {"from": "gpt", "value": _reference_text(turn), "phenomena": list(turn.kinds)}
            if turn.scored:
                mask_rel = f"masks/{dialogue.id}-t{i}.png"
                save_mask_png(_union_mask(coco, dialogue, i, turn.ann or []), out / mask_rel)
                gpt["mask"] = mask_rel
            if turn.target:
                gpt["target"] = turn.target
            if turn.answer:
                gpt["answer"] = list(turn.answer)
            entries.append(gpt)
        focus = next((t.target for t in reversed(dialogue.turns) if t.scored and t.target), None)
        records.append({"id": dialogue.id, "image": image_rel, "tags": list(dialogue.tags), "focus": focus,
                        "dialogue": entries})
        if progress:
            progress(n + 1, len(dialogues))
    (out / "dialogues.json").write_text(json.dumps(records, indent=1, ensure_ascii=False), encoding="utf-8")
    turns = [t for d in dialogues for t in d.turns]
    return {"dialogues": len(dialogues), "turns": len(turns), "scored": sum(t.scored for t in turns),
            "absent": sum(t.ann == [] for t in turns), "questions": sum(bool(t.answer) for t in turns)}
