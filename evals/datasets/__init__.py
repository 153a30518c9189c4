"""Dataset loading: one entry point for both formats.

    ds = load_dataset("runs/synth_test")                              # folder with dialogues.json (format 2)
    ds = load_dataset("prist/test_dev.json", images=DIR, masks=DIR)   # PRIST original (format 1)

`--data` may be the folder or its JSON file. A folder is searched for dialogues.json, then test.json, then a
single *.json file.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from evals.datasets.png_records import is_png_record, load_png_records
from evals.datasets.prist import is_prist_item, load_prist
from evals.datasets.records import Record, RefTurn, labelme_mask
from evals.errors import DatasetError

__all__ = ["Dataset", "Record", "RefTurn", "load_dataset", "labelme_mask", "find_json"]


@dataclass
class Dataset:
    """Loaded records plus where they came from. format: "prist" or "records"."""

    records: list[Record]
    path: Path
    format: str
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.records)


def find_json(data: str | Path) -> Path:
    path = Path(data)
    if path.is_file():
        return path
    if not path.exists():
        raise DatasetError(f"{path}: no such file or folder")
    for name in ("dialogues.json", "test.json"):
        if (path / name).is_file():
            return path / name
    candidates = sorted(path.glob("*.json"))
    if len(candidates) == 1:
        return candidates[0]
    raise DatasetError(f"{path}: no dialogues.json or test.json (and not exactly one *.json) in this folder")


def load_dataset(data: str | Path, images: str | Path | None = None, masks: str | Path | None = None,
                 limit: int | None = None) -> Dataset:
    """Read either format; `limit` keeps the first N records. Raises DatasetError (one line) on bad input."""
    json_path = find_json(data)
    try:
        items = json.loads(json_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{json_path}: not valid JSON ({str(exc).splitlines()[0]})") from None
    if isinstance(items, dict) and isinstance(items.get("records"), list):
        items = items["records"]
    if not isinstance(items, list):
        raise DatasetError(f"{json_path}: expected a JSON list of dialogues")
    if limit is not None:
        items = items[: max(0, int(limit))]
    notes: list[str] = []
    if not items:
        return Dataset([], json_path, "records", notes)
    if is_prist_item(items[0]):
        img_dir = Path(images) if images else None
        if img_dir is not None and not img_dir.is_dir():
            notes.append(f"images folder {img_dir} does not exist: all records run text-only")
            img_dir = None
        mask_dir = Path(masks) if masks else None
        if mask_dir is not None and not mask_dir.is_dir():
            raise DatasetError(f"masks folder {mask_dir} does not exist")
        return Dataset(load_prist(items, img_dir, mask_dir, notes), json_path, "prist", notes)
    if is_png_record(items[0]):
        if images or masks:
            notes.append("--images/--masks are ignored for dialogue records (paths are relative to the dataset folder)")
        return Dataset(load_png_records(items, json_path.parent), json_path, "records", notes)
    raise DatasetError(f"{json_path}: items are neither PRIST ({{img_id, focus, dialogue}}) nor records ({{id, image, dialogue}})")
