"""Contents: "what's on the plate?", "what is in the toilet?", "what's on top of it?": the detector's named things
standing in that relation to the reference, best first, so the answer can name what is there (the detector's class)
and the mask shows it. Proposals have no names; they are left to the plain relation search when no detection fits.
"""
from __future__ import annotations

import numpy as np

from agent.candidates.category import WEAK_SCORE
from agent.candidates.record import Candidate, candidate
from tools.masks import box_iou, inside_share
from tools.vocabulary import coco_category

CONTENTS_MIN_SCORE = WEAK_SCORE   # a weaker detection is no answer to "what is there"
SAME_AS_REFERENCE = 0.7           # a detection overlapping the reference box this much is the reference itself
MIN_INSIDE = 0.5                  # "in"/"on" X: at least this share of the thing's box lies on X's box


def contents_candidates(ref_box: list[float], ref_words: str, rel: str, vision, runtime, turn: int,
                        ref_mask: np.ndarray | None = None) -> list[Candidate]:
    """Detections in `rel` ("inside", "above", "below", ...) to `ref_box`, never of the reference's own class (a
    second toilet box is no answer to "what's in the toilet"), scored by detector confidence + how well the geometry
    fits ("inside": the share of the thing's box on the reference, from MIN_INSIDE: a cat in a toilet sticks out);
    [] when none fits. ref_mask: bool (H, W) of a reference that is no box (the background): "inside" is then the
    share of the thing's box on that mask."""
    from agent.candidates.relate import relation_score  # relate imports this module

    w, h = vision.image.width, vision.image.height
    own_class = coco_category(ref_words)
    ref_area = max((ref_box[2] - ref_box[0]) * (ref_box[3] - ref_box[1]), 1.0)
    out = []
    for d in runtime.all_detections(vision):
        area = (d.box[2] - d.box[0]) * (d.box[3] - d.box[1])
        if d.score < CONTENTS_MIN_SCORE or box_iou(d.box, ref_box) > SAME_AS_REFERENCE or (rel == "inside" and area > ref_area):
            continue
        if d.label == own_class:
            continue
        share = inside_share(d.box, ref_box) if ref_mask is None else _share_on_mask(d.box, ref_mask)
        geo = (share if share >= MIN_INSIDE else 0.0) if rel == "inside" else relation_score(d.box, ref_box, rel, share, w, h)
        if geo <= 0:
            continue
        evidence = [f"{d.label} (detector {d.score:.2f})", f"{rel.replace('_', ' ')} {ref_words}"]
        out.append(candidate(d, 2.0 + 1.5 * float(d.score) + geo, evidence, needs_mask=True, cid=f"contents:{d.label}:{d.id}",
                             detector_score=round(float(d.score), 4)))
    return sorted(out, key=lambda c: -c["score"])


def _share_on_mask(box: list[float], mask: np.ndarray) -> float:
    """Share of the box [x0, y0, x1, y1] (pixels) that lies on the bool mask."""
    h, w = mask.shape
    x0, y0 = max(int(box[0]), 0), max(int(box[1]), 0)
    x1, y1 = min(int(np.ceil(box[2])), w), min(int(np.ceil(box[3])), h)
    return float(mask[y0:y1, x0:x1].mean()) if x1 > x0 and y1 > y0 else 0.0
