"""PRIST original format: `[{img_id, focus, dialogue}]` + images folder + LabelMe masks folder.

The scored turn is the human turn whose reference reply contains "[SEG]" (PRIST's closing request). Its target
is the union of the LabelMe polygons whose label contains `focus`, case-insensitive; the mask file is
`<masks>/<image stem>.json` (or `<masks>/<img_id>.json`). Without an images folder a record runs text-only.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from evals.datasets.dialogue import pair_turns
from evals.datasets.paths import safe_join
from evals.datasets.records import Record, RefTurn
from evals.errors import DatasetError


def is_prist_item(item: object) -> bool:
    return isinstance(item, dict) and "img_id" in item and "dialogue" in item


def load_prist(items: list, images: Path | None, masks: Path | None, notes: list[str]) -> list[Record]:
    """Records from PRIST items; images/masks may be None (text-only / unscored)."""
    records: list[Record] = []
    seen: Counter[str] = Counter()
    missing_images = missing_masks = 0
    for n, item in enumerate(items):
        where = f"item {n}"
        if not is_prist_item(item):
            raise DatasetError(f"{where}: PRIST items need 'img_id' and 'dialogue'")
        img_id = str(item["img_id"])
        focus = item.get("focus")
        if focus is not None and not isinstance(focus, str):
            raise DatasetError(f"{where}: 'focus' must be a string")
        pairs = pair_turns(item["dialogue"], where)
        stem = Path(img_id).stem
        rec_id = f"{stem}#{seen[stem]}"
        seen[stem] += 1
        image = None
        if images is not None:
            candidate = safe_join(images, img_id, "img_id")
            if candidate.is_file():
                image = candidate
            else:
                missing_images += 1
        mask_file = None
        if image is not None and masks is not None:
            for name in (f"{stem}.json", f"{img_id}.json"):
                candidate = safe_join(masks, name, "mask file")
                if candidate.is_file():
                    mask_file = candidate
                    break
            if mask_file is None:
                missing_masks += 1
        closing_index = max((i for i, (_, g) in enumerate(pairs) if g and "[SEG]" in g["value"]), default=len(pairs) - 1)
        turns = []
        for i, (human, gpt) in enumerate(pairs):
            closing = i == closing_index
            turns.append(RefTurn(
                index=i, human=human, reference=gpt["value"] if gpt else None,
                labelme=mask_file if closing else None, label_filter=focus if closing else None,
                closing=closing, target=focus if closing else None,
            ))
        records.append(Record(id=rec_id, image=image, turns=turns, focus=focus,
                              tags=["prist", f"turns:{len(pairs)}"], source="prist"))
    if images is not None and missing_images:
        notes.append(f"{missing_images} of {len(items)} PRIST records have no image file in {images}: they run text-only")
    if masks is not None and missing_masks:
        notes.append(f"{missing_masks} PRIST records with an image have no LabelMe file in {masks}: their closing turn is unscored")
    return records
