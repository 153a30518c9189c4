"""Dialogue records with PNG masks: `[{id, image, dialogue:[{from, value, mask?, target?, phenomena?}], focus?, tags?}]`.

A `gpt` entry may carry "answer": keywords any of which the reply to a question turn should hold.
Every `gpt` entry carrying "mask" (a 0/255 PNG path relative to the dataset folder) makes the human turn before
it a scored turn. Paths must stay inside the dataset folder. `image` may be absent/null: the record is text-only.
The closing turn (for focus agreement) is the last scored turn, else the last turn.
"""
from __future__ import annotations

from pathlib import Path

from evals.datasets.dialogue import pair_turns
from evals.datasets.paths import safe_join
from evals.datasets.records import Record, RefTurn
from evals.errors import DatasetError


def is_png_record(item: object) -> bool:
    return isinstance(item, dict) and "dialogue" in item and "img_id" not in item


def load_png_records(items: list, root: Path) -> list[Record]:
    records: list[Record] = []
    ids: set[str] = set()
    for n, item in enumerate(items):
        where = f"record {n}"
        if not is_png_record(item):
            raise DatasetError(f"{where}: dialogue records need 'dialogue' (and 'id', 'image')")
        rec_id = str(item.get("id", n))
        if rec_id in ids:
            raise DatasetError(f"{where}: duplicate id {rec_id!r}")
        ids.add(rec_id)
        where = f"record {rec_id!r}"
        image = None
        if item.get("image"):
            image = safe_join(root, item["image"], f"{where} image")
            if not image.is_file():
                raise DatasetError(f"{where}: image {item['image']!r} not found in {root}")
        pairs = pair_turns(item["dialogue"], where)
        turns = []
        for i, (human, gpt) in enumerate(pairs):
            mask_png = None
            if gpt is not None and gpt.get("mask"):
                if image is None:
                    raise DatasetError(f"{where}: turn {i} has a mask but the record has no image")
                mask_png = safe_join(root, gpt["mask"], f"{where} mask")
                if not mask_png.is_file():
                    raise DatasetError(f"{where}: mask {gpt['mask']!r} not found in {root}")
            target = gpt.get("target") if gpt else None
            phenomena = gpt.get("phenomena") if gpt else None
            answers = gpt.get("answer") if gpt else None
            turns.append(RefTurn(index=i, human=human, reference=gpt["value"] if gpt else None,
                                 mask_png=mask_png, target=target if isinstance(target, str) else None,
                                 tags=[str(p) for p in phenomena] if isinstance(phenomena, list) else [],
                                 answers=[str(a) for a in answers] if isinstance(answers, list) else []))
        closing = next((t for t in reversed(turns) if t.scored), turns[-1])
        closing.closing = True
        tags = item.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise DatasetError(f"{where}: 'tags' must be a list of strings")
        focus = item.get("focus")
        records.append(Record(id=rec_id, image=image, turns=turns,
                              focus=focus if isinstance(focus, str) else None, tags=list(tags), source="records"))
    return records
