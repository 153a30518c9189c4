"""The dataset records the runner consumes, whatever the file format was.

A `Record` is one dialogue on one image (or on no image: text-only). Its `turns` are the human turns in order,
each with the reference `gpt` reply and, for scored turns, where the reference mask comes from:
a 0/255 PNG (dialogue-records format) or a LabelMe JSON whose polygons are filtered by the record's focus
(PRIST format). Everything here is plain data so records can be sent to worker processes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evals.errors import DatasetError
from tools.masks import MaskError, load_mask_png, polygons_to_mask


@dataclass
class RefTurn:
    """One human turn and its reference reply.

    index: 0-based position among the dialogue's human turns.
    mask_png / labelme: source of the reference mask; both None for an unscored (text-only) turn.
    closing: True for the dialogue's final segmentation request (where focus agreement is measured).
    target: the reference target phrase for this turn, when the dataset gives one.
    tags: per-turn phenomena, when the dataset gives them (gpt entry "phenomena").
    answers: for a question turn, keywords any of which the reply should hold (gpt entry "answer").
    """

    index: int
    human: str
    reference: str | None = None
    mask_png: Path | None = None
    labelme: Path | None = None
    label_filter: str | None = None
    closing: bool = False
    target: str | None = None
    tags: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)

    @property
    def scored(self) -> bool:
        return self.mask_png is not None or self.labelme is not None

    def reference_mask(self) -> np.ndarray:
        """bool (H, W) reference mask; raises DatasetError when the file is missing or unusable."""
        if self.mask_png is not None:
            try:
                return load_mask_png(self.mask_png)
            except MaskError as exc:
                raise DatasetError(str(exc)) from None
        if self.labelme is not None:
            return labelme_mask(self.labelme, self.label_filter or "")
        raise DatasetError(f"turn {self.index} has no reference mask")


@dataclass
class Record:
    """One dialogue. image is None for text-only runs; tags are free strings ("phenomenon", "turns:3")."""

    id: str
    image: Path | None
    turns: list[RefTurn]
    focus: str | None = None
    tags: list[str] = field(default_factory=list)
    source: str = "records"

    @property
    def scored_turns(self) -> list[RefTurn]:
        return [t for t in self.turns if t.scored]

    @property
    def closing_turn(self) -> RefTurn | None:
        for turn in reversed(self.turns):
            if turn.closing:
                return turn
        return None


def labelme_mask(path: Path, label_filter: str) -> np.ndarray:
    """Union of the polygons of a LabelMe JSON whose label contains `label_filter` (case-insensitive).

    The file must hold `imageHeight`, `imageWidth` and `shapes[{label, points: [[x, y], ...]}]`.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        height, width = int(data["imageHeight"]), int(data["imageWidth"])
        shapes = data.get("shapes") or []
    except FileNotFoundError:
        raise DatasetError(f"{path}: LabelMe mask file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise DatasetError(f"{path}: not valid JSON") from None
    except (KeyError, TypeError, ValueError):
        raise DatasetError(f"{path}: LabelMe JSON needs integer imageHeight, imageWidth and a shapes list") from None
    wanted = label_filter.strip().lower()
    polygons = []
    for shape in shapes:
        label = str(shape.get("label", "")).lower() if isinstance(shape, dict) else ""
        if not wanted or wanted not in label:
            continue
        try:
            flat = [float(v) for point in shape["points"] for v in point[:2]]
        except (KeyError, TypeError, ValueError):
            raise DatasetError(f"{path}: shape {label!r} has malformed points") from None
        polygons.append(flat)
    return polygons_to_mask(polygons, height, width)
