"""Segmentation metrics over scored turns.

Per turn we keep integer counts: intersection, union, predicted area, reference area.
- CIoU  = sum(intersection) / sum(union)          (cumulative; 1.0 when every union is empty)
- gIoU  = mean over turns of intersection / union  (a turn with an empty union counts 1.0)
- precision = sum(inter) / sum(pred area), recall = sum(inter) / sum(ref area), F1 their harmonic mean
  (pixel-level, cumulative; 0.0 when the denominator is 0 and there is something to find, 1.0 when nothing)
- iou>=0.5 = share of turns whose IoU is at least 0.5
An empty prediction is a turn like any other (IoU 0 unless the reference is empty too); it is never skipped.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from tools.masks import as_bool_mask, intersection_union


def turn_overlap(pred: np.ndarray | None, ref: np.ndarray) -> dict:
    """Counts for one turn; pred None means the system returned no mask (an empty prediction)."""
    ref = as_bool_mask(ref)
    empty = pred is None or not as_bool_mask(pred).any()
    p = np.zeros_like(ref) if pred is None else as_bool_mask(pred)
    inter, union = intersection_union(p, ref)
    return {
        "intersection": inter, "union": union, "pred_area": int(p.sum()), "ref_area": int(ref.sum()),
        "iou": 1.0 if union == 0 else inter / union, "empty_prediction": bool(empty),
    }


def _ratio(num: int, den: int, nothing_expected: bool) -> float:
    if den > 0:
        return num / den
    return 1.0 if nothing_expected else 0.0


@dataclass
class SegTally:
    """Running sums over scored turns; `summary()` gives the metric dict."""

    n: int = 0
    intersection: int = 0
    union: int = 0
    pred_area: int = 0
    ref_area: int = 0
    iou_sum: float = 0.0
    hits50: int = 0
    empty_predictions: int = 0

    def add(self, counts: dict) -> None:
        inter, union = int(counts["intersection"]), int(counts["union"])
        self.n += 1
        self.intersection += inter
        self.union += union
        self.pred_area += int(counts["pred_area"])
        self.ref_area += int(counts["ref_area"])
        iou = 1.0 if union == 0 else inter / union
        self.iou_sum += iou
        self.hits50 += iou >= 0.5
        self.empty_predictions += bool(counts.get("empty_prediction", counts["pred_area"] == 0))

    def summary(self) -> dict:
        if self.n == 0:
            return {"turns": 0}
        precision = _ratio(self.intersection, self.pred_area, self.ref_area == 0)
        recall = _ratio(self.intersection, self.ref_area, True)
        f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
        return {
            "turns": self.n,
            "ciou": _ratio(self.intersection, self.union, True),
            "giou": self.iou_sum / self.n,
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "iou_at_0.5": self.hits50 / self.n,
            "empty_predictions": self.empty_predictions,
        }


def grouped_segmentation(rows: Iterable[dict], keys: Callable[[dict], list[str]]) -> dict[str, dict]:
    """Summaries per group; `keys(row)` lists the groups a row belongs to (a row may be in several)."""
    tallies: dict[str, SegTally] = defaultdict(SegTally)
    for row in rows:
        for key in keys(row):
            tallies[key].add(row)
    return {key: tallies[key].summary() for key in sorted(tallies, key=_natural)}


def _natural(key: str) -> tuple:
    digits = "".join(ch for ch in key if ch.isdigit())
    return (key.rstrip("0123456789"), int(digits) if digits else -1, key)
